"""Photographic face-swap characters: a photo from a registry package plus the head mesh located in it.

Humans get their mesh from the project's own perception (detector + face mesh, the shipped
int8 models) run on the photo. Animals have no face mesh, so a few dozen landmarks were
annotated once by hand (``ANIMAL_KEYPOINTS``: mesh index -> pixel in the photo) and the rest of
the extended mesh follows by a thin-plate spline from the face layout. Used by
``tools/make_assets.py``.
"""

from __future__ import annotations

import bz2
import io
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

# SciPy 1.10 is the last release whose wheel ships the raccoon photo (scipy/misc/face.dat).
SCIPY_WHEEL = "scipy==1.10.1"


@dataclass
class Character:
    """One character: its photo (cropped), the extended head points in it, and how it blends."""

    name: str
    title: str
    image: np.ndarray
    points: np.ndarray
    hue_follow: float
    source: str
    licence: str
    how: str
    keypoints: dict[int, tuple[float, float]] = field(default_factory=dict)

    def meta(self) -> dict[str, Any]:
        return {"title": self.title, "hue_follow": self.hue_follow,
                "points": np.round(self.points, 2).tolist(),
                "keypoints": {str(k): list(v) for k, v in self.keypoints.items()}}


# Hand-annotated landmarks (MediaPipe face-mesh index -> (x, y) in the full photo), placed where
# the animal's features correspond to a human face's: eye corners and lids, brows, nose bridge
# and tip, mouth, the face outline from temple to chin, and the forehead.
ANIMAL_KEYPOINTS: dict[str, dict[int, tuple[float, float]]] = {
    # Chelsea looks three-quarters to the side; her near half (the image's left, up to the nose at
    # x = 256) is mirrored into a frontal face, so only that half and the midline are annotated.
    "cat": {
        33: (136, 112), 133: (208, 130), 159: (170, 86), 145: (172, 143), 70: (118, 68), 107: (212, 62),
        129: (240, 244), 61: (226, 281), 109: (185, 15), 127: (62, 78), 234: (36, 158), 132: (60, 228),
        172: (115, 268), 150: (175, 292),
        10: (255.5, 15), 168: (255.5, 118), 6: (255.5, 175), 1: (255.5, 238), 2: (255.5, 258),
        0: (255.5, 270), 13: (255.5, 280), 14: (255.5, 286), 17: (255.5, 298), 152: (255.5, 322),
    },
}
# Left-right partners among the annotated MediaPipe indices (facts of the mesh numbering). The layout's
# own "mirror" array pairs some points wrongly (its midline drifts), so it is not used here.
MIRROR_PAIRS = {33: 263, 133: 362, 159: 386, 145: 374, 70: 300, 107: 336, 129: 358, 61: 291, 109: 338,
                127: 356, 234: 454, 132: 361, 172: 397, 150: 379}
PAD = 48  # pixels of reflected border around an animal photo
# Where an animal photo is mirrored about a vertical line (the near half kept), and the annotation with it.
MIRROR_AT = {"cat": 256}


def tps_fit(src: np.ndarray, dst: np.ndarray, smooth: float = 1e-3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A 2-D thin-plate spline taking ``src`` points onto ``dst`` (both (n, 2))."""
    n = len(src)
    r2 = ((src[:, None] - src[None]) ** 2).sum(-1)
    k = np.where(r2 > 0, r2 * np.log(r2 + 1e-12) / 2, 0.0) + smooth * np.eye(n)
    p = np.hstack([np.ones((n, 1)), src])
    a = np.block([[k, p], [p.T, np.zeros((3, 3))]])
    sol = np.linalg.solve(a, np.vstack([dst, np.zeros((3, 2))]))
    return src, sol[:n], sol[n:]


def tps_apply(fit: tuple[np.ndarray, np.ndarray, np.ndarray], pts: np.ndarray) -> np.ndarray:
    ctrl, w, affine = fit
    r2 = ((pts[:, None] - ctrl[None]) ** 2).sum(-1)
    u = np.where(r2 > 0, r2 * np.log(r2 + 1e-12) / 2, 0.0)
    return u @ w + np.hstack([np.ones((len(pts), 1)), pts]) @ affine


def _crop(image: np.ndarray, points: np.ndarray, max_face: int = 360) -> tuple[np.ndarray, np.ndarray]:
    """Crop around the points with a margin (and shrink if the face is wider than ``max_face``)."""
    h, w = image.shape[:2]
    lo, hi = points.min(0), points.max(0)
    margin = 0.08 * (hi - lo).max()
    x0, y0 = np.maximum(np.floor(lo - margin), 0).astype(int)
    x1, y1 = np.minimum(np.ceil(hi + margin), (w, h)).astype(int)
    crop, pts = image[y0:y1, x0:x1], points - (x0, y0)
    scale = min(1.0, max_face / (hi - lo)[0])
    if scale < 1.0:
        crop = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        pts = pts * scale
    return np.ascontiguousarray(crop), pts.astype(np.float32)


def _ring_pulled_in(points: np.ndarray, top: float, chin: float) -> np.ndarray:
    """Move the ring points of an extended mesh towards the oval: ``top`` at the forehead, ``chin`` at the chin.

    A character's own hairline may sit lower than the ring (a hat) or its chin above it (a collar);
    sampling nearer the oval keeps those out of the guest's forehead and neck.
    """
    from magicbooth.effects.faces import head_layout

    layout = head_layout()
    pts = points.copy()
    oval = pts[layout.oval]
    d = layout.uv[layout.oval] - layout.uv[layout.oval].mean(0)
    up = -d[:, 1] / np.linalg.norm(d, axis=1)
    keep = 1 - (1 - top) * np.clip(up, 0, 1) ** 2 - (1 - chin) * np.clip(-up, 0, 1) ** 2
    ring = pts[468:]
    pts[468:] = oval + (ring - oval) * keep[:, None]
    return pts


def human(name: str, image: np.ndarray, *, title: str, source: str, licence: str, top: float = 1.0,
          chin: float = 1.0) -> Character:
    """A character from a photo of a person, located by the project's own face mesh."""
    from magicbooth.core.config import Config
    from magicbooth.core.frames import Frame
    from magicbooth.effects.faces import head_layout
    from magicbooth.perception import Perception

    found = Perception(Config(), {"faces", "mesh"}).process_still(Frame(np.ascontiguousarray(image), 0.0, 0))
    if len(found.meshes) != 1:
        raise SystemExit(f"{name}: expected one face in the photo, found {len(found.meshes)}")
    points = _ring_pulled_in(head_layout().extend(found.meshes[0].points)[:, :2], top, chin)
    crop, pts = _crop(image, points)
    return Character(name, title, crop, pts, 1.0, source, licence,
                     "photo cropped; head mesh from magicbooth's own face landmark model (int8) run on it")


def animal(name: str, image: np.ndarray, *, title: str, source: str, licence: str, hue_follow: float) -> Character:
    """A character from an animal photo: the annotated landmarks, the rest of the mesh by thin-plate spline."""
    from magicbooth.effects.faces import head_layout

    layout = head_layout()
    marks = dict(ANIMAL_KEYPOINTS[name])
    if name in MIRROR_AT:
        image, marks = _mirrored(image, marks, MIRROR_AT[name])
    # Fur reflected past the photo's edges gives the ring and chin something furry to sample.
    pad = PAD
    image = cv2.copyMakeBorder(image, pad, pad, pad, pad, cv2.BORDER_REFLECT_101)
    marks = {i: (x + pad, y + pad) for i, (x, y) in marks.items()}
    idx = np.array(list(marks), int)
    fit = tps_fit(layout.uv[idx].astype(np.float64), np.array([marks[i] for i in idx], np.float64))
    points = tps_apply(fit, layout.uv.astype(np.float64))
    h, w = image.shape[:2]
    points = np.clip(points, 0, (w - 1, h - 1))
    crop, pts = _crop(image, points)
    return Character(name, title, crop, pts, hue_follow, source, licence,
                     f"photo cropped; {len(marks)} landmarks annotated by hand (tools/character_art.py), "
                     "the rest of the head mesh by a thin-plate spline from the face layout", dict(marks))


def _mirrored(image: np.ndarray, marks: dict[int, tuple[float, float]],
              at: int) -> tuple[np.ndarray, dict[int, tuple[float, float]]]:
    """The image's left ``at`` columns and their mirror image side by side, with the landmarks mirrored too."""
    left = image[:, :at]
    out = dict(marks)
    for i, (x, y) in marks.items():
        if i in MIRROR_PAIRS:
            out[MIRROR_PAIRS[i]] = (2 * at - 1 - x, y)
    return np.ascontiguousarray(np.hstack([left, left[:, ::-1]])), out


def scipy_raccoon() -> np.ndarray:
    """The raccoon photo shipped in SciPy 1.10's wheel (downloaded with pip, read from the zip)."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-q",
                        "--python-version", "3.11", "--platform", "manylinux2014_x86_64", "-d", tmp, SCIPY_WHEEL],
                       check=True)
        wheel = next(Path(tmp).glob("scipy-*.whl"))
        with zipfile.ZipFile(wheel) as zf:
            raw = bz2.decompress(zf.read("scipy/misc/face.dat"))
    return np.frombuffer(raw, np.uint8).reshape(768, 1024, 3).copy()


def grace_hopper() -> np.ndarray:
    import matplotlib.cbook
    from PIL import Image

    with matplotlib.cbook.get_sample_data("grace_hopper.jpg") as fh:
        return np.asarray(Image.open(io.BytesIO(fh.read())).convert("RGB"))


def build() -> list[Character]:
    """Every character, in the order the effect lists them."""
    import skimage.data

    return [
        human("hopper", grace_hopper(), title="Grace Hopper (1906-1992)", top=0.35, chin=0.3,
              source="matplotlib sample data grace_hopper.jpg (official US Navy portrait, 1984)",
              licence="public domain (work of the US federal government)"),
        animal("cat", skimage.data.chelsea(), title="Chelsea the cat", hue_follow=0.25,
               source="scikit-image skimage.data.chelsea() (photo by Stefan van der Walt)",
               licence="CC0-1.0"),
    ]
