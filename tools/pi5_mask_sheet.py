"""The landscape person mask as a Pi 5 computes it (int8 graph, fp16 islands), beside float and this machine.

    python tools/pi5_mask_sheet.py [OUT.jpg]     # default docs/mask/pi5-fp16-landscape.jpg

Four frames of the bundled sample clip; per frame: MediaPipe's float model, the shipped int8 graph on this
machine (float islands in fp32) and the same graph in the emulated Cortex-A76 (``tools/modelfactory/emulated.py``:
the fp16 hint makes its float islands fp16 there). Green tint = the mask, red line = its 0.5 edge. Prints each
frame's mask IoU against float. Needs the shared arm64 emulation.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from magicbooth.inference.loader import MODELS_DIR, read_manifest  # noqa: E402
from tools.modelfactory.armcount import Counter  # noqa: E402
from tools.modelfactory.emulated import Emulated  # noqa: E402
from tools.modelfactory.runner import Runner  # noqa: E402

MODEL = "selfie_segmentation_landscape"
SAMPLE = ROOT / "device" / "assets" / "sample.mp4"
WIDTH = 480  # of one cell


def frames(count: int = 4) -> list[np.ndarray]:
    capture = cv2.VideoCapture(str(SAMPLE))
    total = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
    found = []
    for k in np.linspace(0, total - 1, count).astype(int):
        capture.set(cv2.CAP_PROP_POS_FRAMES, int(k))
        ok, frame = capture.read()
        if ok:
            found.append(frame)
    return found


def overlay(frame: np.ndarray, mask: np.ndarray, label: str) -> np.ndarray:
    h, w = frame.shape[:2]
    m = cv2.resize(mask, (w, h), interpolation=cv2.INTER_LINEAR)[..., None]
    tint = np.zeros_like(frame, np.float32)
    tint[..., 1] = 255
    out = (frame * (1 - 0.45 * m) + tint * 0.45 * m).astype(np.uint8)
    out[cv2.Canny((m[..., 0] > 0.5).astype(np.uint8) * 255, 50, 150) > 0] = (0, 0, 255)
    cell = cv2.resize(out, (WIDTH, int(WIDTH * h / w)))
    cv2.putText(cell, label, (8, 22), cv2.FONT_HERSHEY_SIMPLEX, 0.55, (255, 255, 255), 2, cv2.LINE_AA)
    return cell


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else ROOT / "docs" / "mask" / "pi5-fp16-landscape.jpg"
    counter = Counter.find()
    if counter is None:
        print("pi5_mask_sheet: no arm64 emulation found (set ARM64_TOOLS)", file=sys.stderr)
        return 2
    entries = read_manifest()
    pick = next(k for (n, k), e in entries.items() if n == MODEL and "arm_dotprod" in e.cpus)
    graph = (MODELS_DIR / entries[(MODEL, pick)].file).read_bytes()
    shots = frames()
    inputs = [cv2.resize(cv2.cvtColor(f, cv2.COLOR_BGR2RGB), (256, 144), interpolation=cv2.INTER_AREA)
              .astype(np.float32)[None] / 255 for f in shots]
    runs = {"float (MediaPipe)": Runner((MODELS_DIR / entries[(MODEL, "float")].file).read_bytes()),
            f"{pick}, fp32 islands (this x86)": Runner(graph),
            f"{pick}, fp16 islands (Pi 5, emulated)": Emulated(counter, graph, inputs, "cortex-a76")}
    rows = []
    for frame, x in zip(shots, inputs, strict=True):
        masks = {label: run(x)[0].reshape(144, 256) for label, run in runs.items()}
        rows.append(np.hstack([overlay(frame, m, label) for label, m in masks.items()]))
        reference = next(iter(masks.values())) > 0.5
        print(", ".join(f"{label}: IoU {((m > 0.5) & reference).sum() / max(((m > 0.5) | reference).sum(), 1):.3f}"
                        for label, m in masks.items()))
    out.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(out), np.vstack(rows), [cv2.IMWRITE_JPEG_QUALITY, 85])
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
