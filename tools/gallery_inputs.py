"""The gallery's default inputs: photos that ship in packages, variations made from them, and clips.

Faces of different ages (the astronaut, Grace Hopper), glasses (Hopper), a man in grey (the
cameraman), two faces side by side, a face cut by the frame edge, a close-up with the head top
out of frame, a head turned by a perspective warp, dim warm light, a deeper skin tone (a Lab
shift of the astronaut's picture: synthetic, labelled so) and no face at all. Clips: the bundled
sample (pan and zoom), Hopper talking and blinking (her photo re-animated through the face mesh),
two faces drifting, and a still face with sensor noise (for flicker). All deterministic.
"""

from __future__ import annotations

import functools
import io
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
W, H = 640, 480


@dataclass(frozen=True)
class Input:
    """A named still (one frame) or clip (several frames at 30 fps) with a line saying what it tests."""

    name: str
    note: str
    frames: tuple[np.ndarray, ...]

    @property
    def is_clip(self) -> bool:
        return len(self.frames) > 1


def fit(image: np.ndarray, size: tuple[int, int] = (W, H), centre: tuple[float, float] = (0.5, 0.5),
        zoom: float = 1.0) -> np.ndarray:
    """Cover ``size`` with the image scaled by ``zoom``, cropped around ``centre`` (fractions)."""
    w, h = size
    scale = max(w / image.shape[1], h / image.shape[0]) * zoom
    big = cv2.resize(image, (round(image.shape[1] * scale), round(image.shape[0] * scale)),
                     interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)
    x0 = int(np.clip(centre[0] * big.shape[1] - w / 2, 0, big.shape[1] - w))
    y0 = int(np.clip(centre[1] * big.shape[0] - h / 2, 0, big.shape[0] - h))
    return np.ascontiguousarray(big[y0:y0 + h, x0:x0 + w])


@functools.cache
def photos() -> dict[str, np.ndarray]:
    import matplotlib.cbook
    import skimage.data
    from PIL import Image

    with matplotlib.cbook.get_sample_data("grace_hopper.jpg") as fh:
        grace = np.asarray(Image.open(io.BytesIO(fh.read())).convert("RGB"))
    camera = np.repeat(skimage.data.camera()[..., None], 3, axis=2)
    return {"astronaut": skimage.data.astronaut(), "grace_hopper": grace, "camera": camera,
            "coffee": skimage.data.coffee(), "rocket": skimage.data.rocket()}


def _two() -> np.ndarray:
    sys.path.insert(0, str(ROOT))
    from tests.photos import frame

    return np.array(frame("two"))


def _turned(image: np.ndarray, degrees: float) -> np.ndarray:
    """The picture as if the head were turned: a perspective warp about a vertical axis."""
    h, w = image.shape[:2]
    k = math.tan(math.radians(degrees)) * 0.5
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = np.float32([[0, h * k * 0.5], [w, -h * k * 0.2], [w, h + h * k * 0.2], [0, h - h * k * 0.5]])
    dst[:, 0] = dst[:, 0] * (1 - abs(k) * 0.6) + w * abs(k) * 0.3
    return cv2.warpPerspective(image, cv2.getPerspectiveTransform(src, dst), (w, h), borderMode=cv2.BORDER_REFLECT)


def _deeper_skin(image: np.ndarray) -> np.ndarray:
    """A Lab shift towards a deeper, browner skin tone (whole picture; synthetic)."""
    lab = cv2.cvtColor(image, cv2.COLOR_RGB2Lab).astype(np.float32)
    lab[..., 0] = lab[..., 0] * 0.55 + 10
    lab[..., 1] = 128 + (lab[..., 1] - 128) * 0.9 + 4
    lab[..., 2] = 128 + (lab[..., 2] - 128) * 0.9 + 8
    return cv2.cvtColor(np.clip(lab, 0, 255).astype(np.uint8), cv2.COLOR_Lab2RGB)


def _warm_dim(image: np.ndarray) -> np.ndarray:
    out = image.astype(np.float32) * (0.62, 0.5, 0.36)
    return np.clip(out + 6, 0, 255).astype(np.uint8)


def stills() -> list[Input]:
    p = photos()
    astro = fit(p["astronaut"], centre=(0.45, 0.3))
    grace = fit(p["grace_hopper"], centre=(0.5, 0.32))
    return [
        Input("astronaut", "woman, 40s, smiling, fair skin", (astro,)),
        Input("hopper", "woman, 70s, glasses, wrinkles", (grace,)),
        Input("cameraman", "man, grey picture, head turned and looking down, small in frame",
              (fit(p["camera"], centre=(0.45, 0.4)),)),
        Input("two", "two faces side by side", (_two(),)),
        Input("edge", "face cut by the left frame edge",
              (np.ascontiguousarray(np.roll(astro, -250, axis=1)[:, :]),)),
        Input("closeup", "close-up: forehead and head top out of frame", (fit(p["grace_hopper"], centre=(0.52, 0.44),
                                                                                zoom=1.9),)),
        Input("turned", "head turned by a perspective warp (synthetic)", (_turned(astro, 35),)),
        Input("warm-dim", "dim warm light", (_warm_dim(astro),)),
        Input("deeper-skin", "deeper skin tone: Lab shift of the astronaut picture (synthetic)",
              (_deeper_skin(grace),)),
        Input("no-face", "no face (a coffee cup)", (fit(p["coffee"]),)),
    ]


# ---- clips -------------------------------------------------------------------------------------
def _sample_clip(frames: int) -> tuple[np.ndarray, ...]:
    import av

    out = []
    with av.open(str(ROOT / "device" / "assets" / "sample.mp4")) as c:
        for f in c.decode(video=0):
            out.append(f.to_ndarray(format="rgb24"))
            if len(out) >= frames:
                break
    return tuple(out)


def _noise(rng: np.random.Generator, image: np.ndarray, sigma: float) -> np.ndarray:
    return np.clip(image + rng.normal(0, sigma, image.shape), 0, 255).astype(np.uint8)


def _mesh_of(image: np.ndarray) -> np.ndarray:
    from magicbooth.core.config import Config
    from magicbooth.core.frames import Frame
    from magicbooth.perception import Perception

    scene = Perception(Config(), {"faces", "mesh"}).process_still(Frame(np.ascontiguousarray(image), 0.0, 0))
    return scene.meshes[0].points


def _talking_clip(frames: int) -> tuple[np.ndarray, ...]:
    """Hopper talks and blinks: her photo warped through the face mesh (jaw and eyelids moved)."""
    from magicbooth.effects.assets import face_model
    from magicbooth.effects.faces import head_layout
    from magicbooth.effects.meshwarp import warp_maps

    base = fit(photos()["grace_hopper"], centre=(0.5, 0.32))
    mesh = _mesh_of(base)
    layout, model = head_layout(), face_model()
    src = layout.extend(mesh)
    upper = {"right": [246, 161, 160, 159, 158, 157, 173], "left": [466, 388, 387, 386, 385, 384, 398]}
    lower = {"right": [7, 163, 144, 145, 153, 154, 155], "left": [249, 390, 373, 374, 380, 381, 382]}
    lips = model.contour("lips_1")
    mouth_y = src[[13, 14], 1].mean()
    width = np.linalg.norm(src[61, :2] - src[291, :2])
    chin_y = src[152, 1]
    rng = np.random.default_rng(5)
    out = []
    for i in range(frames):
        t = i / 30
        dst = src.copy()
        talk = max(0.0, math.sin(t * 2 * math.pi * 1.7)) * 0.32 + max(0.0, math.sin(t * 2 * math.pi * 0.6)) * 0.1
        below = (dst[:, 1] > mouth_y) & (np.arange(len(dst)) < 468)
        fall = np.clip((dst[below, 1] - mouth_y) / (chin_y - mouth_y), 0, 1) ** 0.5
        dst[below, 1] += talk * width * (0.3 + 0.7 * fall)
        dst[468:, 1] += np.where(dst[468:, 1] > mouth_y, talk * width, 0)
        blink = max(0.0, 1 - abs((t % 2.2) - 1.1) / 0.09)      # a blink every 2.2 s, 0.18 s long
        for side in ("right", "left"):
            for a, b in zip(upper[side], lower[side], strict=True):
                dst[a, :2] += (dst[b, :2] - dst[a, :2]) * 0.9 * blink
        maps = warp_maps(src[:, :2], dst, layout.triangles, (W, H))
        img = base.copy()
        ys, xs = maps.slices
        warped = maps.sample(base)
        a = maps.coverage[..., None]
        img[ys, xs] = (warped * a + img[ys, xs] * (1 - a)).astype(np.uint8)
        if talk > 0.02:   # the inside of the mouth, dark with a hint of teeth at the top
            poly = np.round(dst[lips, :2] * 16).astype(np.int32)
            cv2.fillPoly(img, [poly], (60, 28, 30), cv2.LINE_AA, 4)
        shift = np.float32([[1, 0, 4 * math.sin(t * 1.3)], [0, 1, 3 * math.sin(t * 0.9)]])
        img = cv2.warpAffine(img, shift, (W, H), borderMode=cv2.BORDER_REFLECT)
        out.append(_noise(rng, img, 2.0))
    return tuple(out)


def _two_clip(frames: int) -> tuple[np.ndarray, ...]:
    base = _two()
    rng = np.random.default_rng(6)
    out = []
    for i in range(frames):
        t = i / 30
        m = cv2.getRotationMatrix2D((W / 2, H / 2), 3 * math.sin(t * 1.1), 1 + 0.06 * math.sin(t * 0.7))
        m[:, 2] += (12 * math.sin(t * 0.8), 6 * math.sin(t * 1.4))
        out.append(_noise(rng, cv2.warpAffine(base, m, (W, H), borderMode=cv2.BORDER_REFLECT), 2.0))
    return tuple(out)


def _still_clip(frames: int) -> tuple[np.ndarray, ...]:
    base = fit(photos()["astronaut"], centre=(0.45, 0.3))
    rng = np.random.default_rng(7)
    return tuple(_noise(rng, base, 2.5) for _ in range(frames))


CLIPS: dict[str, tuple[str, Callable[[int], tuple[np.ndarray, ...]]]] = {
    "sample-clip": ("the bundled sample: pan, zoom, tilt", _sample_clip),
    "talking-clip": ("Hopper talking and blinking (re-animated photo, sensor noise)", _talking_clip),
    "two-clip": ("two faces drifting and rotating (sensor noise)", _two_clip),
    "still-clip": ("a still face with sensor noise: any change beyond the source's is flicker", _still_clip),
}


def clips(frames: int = 60) -> list[Input]:
    return [Input(name, note, make(frames)) for name, (note, make) in CLIPS.items()]


def load(path: Path, frames: int = 60) -> Input:
    """A user's photo or video, fitted to 640x480."""
    from magicbooth.effects.assets import read_image, read_video

    if path.suffix.lower() in (".mp4", ".mov", ".mkv", ".avi", ".webm"):
        return Input(path.stem, str(path), tuple(fit(f) for f in read_video(path, max_frames=frames)))
    return Input(path.stem, str(path), (fit(np.array(read_image(path))),))
