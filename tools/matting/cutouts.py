"""People with a known alpha: public-domain photos cut out once and stored as PNG.

The photos ship inside pip packages (``tools.modelfactory.images``): scikit-image's astronaut
(NASA, public domain) and camera (CC0), matplotlib's grace_hopper (US Navy, public domain).
Each cut-out was made by ``build`` — the float general segmentation model's mask as a start,
refined to a hard, pixel-accurate edge by OpenCV's GrabCut (colour graph cut, independent of
the guided filter the product uses), then cleaned: the largest person regions kept, small holes
filled — and stored in ``tools/matting/alpha/NAME.png`` (8-bit alpha at the photo's size).
Whatever the cut-out's small errors, it *is* the truth of every composite made from it.

    python -m tools.matting.cutouts      # rebuild the PNGs (needs the models extra)
"""

from __future__ import annotations

import functools
from pathlib import Path

import cv2
import numpy as np

from tools.modelfactory.images import load_photo

PEOPLE = ("astronaut", "grace_hopper", "camera")
ALPHA_DIR = Path(__file__).resolve().parent / "alpha"


@functools.cache
def cutout(name: str) -> tuple[np.ndarray, np.ndarray]:
    """(RGB uint8, alpha float32 0..1) of one person photo."""
    image = load_photo(name).image
    path = ALPHA_DIR / f"{name}.png"
    alpha = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    if alpha is None:
        raise FileNotFoundError(f"{path}: missing; rebuild with python -m tools.matting.cutouts")
    return image, alpha.astype(np.float32) / 255.0


def build(name: str) -> np.ndarray:
    """The hard 0/255 alpha of one photo (see the module docstring)."""
    from magicbooth.core.config import Config
    from magicbooth.perception.loading import open_reference

    model = open_reference("general", Config())
    image = load_photo(name).image
    h, w = image.shape[:2]
    side = max(h, w)
    padded = cv2.copyMakeBorder(image, 0, side - h, 0, side - w, cv2.BORDER_REPLICATE)
    prob = model.run(cv2.resize(padded, (256, 256), interpolation=cv2.INTER_AREA))["mask"].reshape(256, 256)
    prob = cv2.resize(prob, (side, side), interpolation=cv2.INTER_LINEAR)[:h, :w]
    labels = np.full((h, w), cv2.GC_PR_BGD, np.uint8)
    labels[prob > 0.5] = cv2.GC_PR_FGD
    k = np.ones((15, 15), np.uint8)
    labels[cv2.erode((prob > 0.9).astype(np.uint8), k) > 0] = cv2.GC_FGD
    labels[cv2.dilate((prob > 0.1).astype(np.uint8), k) == 0] = cv2.GC_BGD
    models = np.zeros((1, 65)), np.zeros((1, 65))
    cv2.grabCut(cv2.cvtColor(image, cv2.COLOR_RGB2BGR), labels, None, *models, 5, cv2.GC_INIT_WITH_MASK)
    hard = ((labels == cv2.GC_FGD) | (labels == cv2.GC_PR_FGD)).astype(np.uint8)
    count, comp, stats, _ = cv2.connectedComponentsWithStats(hard)
    keep = [i for i in range(1, count) if stats[i, cv2.CC_STAT_AREA] > 0.02 * h * w]
    hard = np.isin(comp, keep).astype(np.uint8)
    holes = 1 - hard
    count, comp, stats, _ = cv2.connectedComponentsWithStats(holes)
    for i in range(1, count):
        x, y, cw, ch, area = stats[i]
        touches = x == 0 or y == 0 or x + cw == w or y + ch == h
        if not touches and area < 0.01 * h * w:
            hard[comp == i] = 1
    return hard * np.uint8(255)


def main() -> None:
    ALPHA_DIR.mkdir(exist_ok=True)
    for name in PEOPLE:
        cv2.imwrite(str(ALPHA_DIR / f"{name}.png"), build(name))
        print(f"wrote {ALPHA_DIR / name}.png")


if __name__ == "__main__":
    main()
