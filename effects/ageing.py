"""Age faces in a camera picture: grey hair and eyebrows, dull skin with age spots, wrinkle relief, sagging.

``Ager.apply(scene, age)`` returns a new picture with every meshed face aged by ``age`` (0 young, 1 is
+60 years; more is allowed). Per face, inside a region of interest around the head:

- *Sagging*: a smooth displacement field, built at 1/4 size, pulls jowls, jawline, cheeks and eye bags
  down (only on the person, so the wall behind never moves).
- *Skin*: pixels like the face's own skin colour (a model sampled from cheeks, forehead and nose), on
  the face, ears and neck alike, lose saturation and warm slightly: no seam where the mesh ends.
- *Hair*: the person mask minus the face and its skin-coloured surround, in a zone above and beside the
  face (and down to the shoulders where the colour matches the hair on top), nearest to *this* face; the
  weight is built at low resolution, so it is feathered, then cut by the full-resolution person mask, so
  it never spills onto the background. It turns silver, keeping the strands' light and dark. A hat is
  not hair: a smooth top of another brightness than the hair at the temples (Grace Hopper's cap) stays.
- *Relief*: ``age_map.png`` (``tools/age_maps.py``) warped onto the mesh: wrinkle shading (light and dark),
  age spots and the eyebrows (which grey like the hair).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import cv2
import numpy as np

from magicbooth.core.scene import FaceMesh, Scene
from magicbooth.effects import assets
from magicbooth.effects.blending import blend
from magicbooth.effects.faces import delaunay
from magicbooth.effects.meshwarp import MeshWarper, feathered

TOP, CHIN, RIGHT_CHEEK, LEFT_CHEEK = 10, 152, 234, 454
SKIN_SAMPLES = (50, 280, 101, 330, 151, 9, 5, 36, 266, 205, 425, 108, 337, 117, 346)
# Sag: (landmarks, drop as a fraction of face height, radius as a fraction of face width).
SAG = (((172, 397, 136, 365), 0.075, 0.14),             # jowls
       ((150, 149, 176, 400, 378, 379), 0.045, 0.11),  # jawline at the sides (the chin's middle stays put,
                                                        # or it would drag the lower lip's red down)
       ((50, 280), 0.03, 0.14))                          # cheeks (eye bags are drawn by the age map)
LIPS = (61, 291, 0, 17)                                  # the mouth keeps its shape
BROWS = ("right_eyebrow_0", "right_eyebrow_1", "left_eyebrow_0", "left_eyebrow_1")
GAIN_ONE = 128.0                                        # the relief's gains in 8-bit fixed point: 128 is 1.0
GRID = 48                                               # weight cells across the head's region
SAG_MIN_PX = 0.2                                        # sagging moves pixels by at least this much, or not
HAT_SPLIT = 0.3                                         # above this (face heights) is the top of the head
RELIEF = 0.9                                            # wrinkle shading at full age (1: as painted)
SPOTS = 0.5                                             # age spots' darkening at full age
SPOT_RGB = np.array([0.2, 0.3, 0.45], np.float32)       # age spots darken blue most: brown
YCC = cv2.COLOR_RGB2YCrCb


def _norm(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """sqrt(x² + y²) in SIMD (numpy's hypot calls libm per element)."""
    return np.sqrt(x * x + y * y)


def smoothstep(e0: float, e1: float, x: float) -> float:
    t = min(max((x - e0) / (e1 - e0), 0.0), 1.0)
    return t * t * (3 - 2 * t)


@dataclass(frozen=True)
class Amounts:
    """How far each part of ageing has gone at one age (0..1, +60 years is 1)."""

    hair: float
    brows: float
    skin: float
    spots: float
    relief: float
    sag: float

    @classmethod
    def at(cls, age: float) -> Amounts:
        return cls(hair=0.95 * smoothstep(0.12, 0.8, age), brows=0.8 * smoothstep(0.3, 1.0, age),
                   skin=0.45 * min(age, 1.3), spots=smoothstep(0.4, 1.0, age) * min(age, 1.3),
                   relief=min(age, 1.35) ** 1.2, sag=min(age, 1.35) ** 1.4)


@dataclass(frozen=True)
class Head:
    """A face's frame in the picture: centre, unit up and right vectors, face height and width (pixels)."""

    centre: np.ndarray
    up: np.ndarray
    right: np.ndarray
    height: float
    width: float

    @classmethod
    def of(cls, mesh: FaceMesh) -> Head:
        p = mesh.points[:, :2].astype(np.float32)
        top, chin = p[TOP], p[CHIN]
        up = top - chin
        height = float(np.linalg.norm(up)) + 1e-6
        up = up / height
        return cls((top + chin) / 2, up, np.array([-up[1], up[0]], np.float32), height,
                   float(np.linalg.norm(p[RIGHT_CHEEK] - p[LEFT_CHEEK])) + 1e-6)

    def local(self, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(X across the face in face widths, Y up the face in face heights) of points (..., 2)."""
        d = xy - self.centre
        return d @ self.right / self.width, d @ self.up / self.height


@functools.cache
def _age_map() -> np.ndarray:
    return assets.image("age_map.png")


@functools.cache
def _warper() -> MeshWarper:
    """A warper on a coarser triangulation of the face (169 triangles, a fifth of the mesh's).

    The age map is smooth, so a hundred-odd landmarks carry it as well as all 468 (renders differ by
    0.4 grey levels on average): the face's outline whole, the features' outlines at every third point
    (the inner lips not at all), and one landmark in twelve in between. Each triangle is one OpenCV
    fill call, so fewer triangles is most of the saving, on a Pi as here.
    """
    model = assets.face_model()
    keep = set(range(0, 468, 12))
    for name, contour in model.contours.items():
        if name == "lips_1":
            continue
        keep.update(int(i) for i in (contour if name == "face_oval_0" else contour[::3]))
    tris = delaunay(model.uv, np.array(sorted(keep)), model.uv[model.contour("face_oval_0")])
    coarse = assets.FaceModel(model.uv, tris, model.contours)
    return MeshWarper(coarse, _age_map().shape[0], step=4)


# Colour transforms (3x4, applied with cv2.transform in one pass): dull skin and silver hair.
_LUM = np.array([0.299, 0.587, 0.114], np.float32)
_WARM = np.array([[6.0], [2.0], [-4.0]], np.float32)


def _dull(warmth: float) -> np.ndarray:
    """Skin losing saturation and, on a colour picture, warming slightly (``warmth`` 0..1)."""
    return np.hstack([0.45 * np.eye(3, dtype=np.float32) + 0.55 * np.tile(_LUM, (3, 1)), _WARM * np.float32(warmth)])
_SILVER = np.hstack([0.6 * np.tile(_LUM, (3, 1)), np.array([[101.0], [101.0], [102.0]], np.float32)])


_Gains = tuple[int, int, np.ndarray, np.ndarray | None]


@dataclass(frozen=True)
class _Kept:
    """What the light picture reuses for a face on the next frame: its box in the frame, weights and relief."""

    box: tuple[int, int, int, int]
    weights: _Weights
    gains: _Gains | None


class Ager:
    """Ages every face of a scene; keeps a little state (the smoothed skin and hair colour models)."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self._models: list[tuple[np.ndarray, np.ndarray]] = []
        self._kept: dict[int, _Kept] = {}    # light: a face's weights and relief, kept for one more frame

    def apply(self, scene: Scene, age: float, light: bool = False) -> np.ndarray:
        """The aged picture. ``light`` (the quality governor's cheaper picture): a face's skin and hair weights
        and its relief are worked out every other frame and reused once (on the same box around the head,
        so they lag its movement by a frame), and the relief is warped at a quarter of the size."""
        image = np.array(scene.frame.image)
        if not light:
            self._kept = {}
        if age <= 0 or not scene.meshes:
            return image
        heads = [Head.of(m) for m in scene.meshes]
        amounts = Amounts.at(age)
        for i, mesh in enumerate(scene.meshes):
            others = heads[:i] + heads[i + 1:]
            self._age_face(image, scene.frame.image, mesh, heads[i], others, scene.mask, amounts, i if light else None)
        return image

    def _age_face(self, image: np.ndarray, source: np.ndarray, mesh: FaceMesh, head: Head, others: list[Head],
                  mask: np.ndarray | None, amounts: Amounts, light: int | None = None) -> None:
        h, w = image.shape[:2]
        pts = mesh.points[:, :2]
        fw, fh = head.width, head.height
        if fw < 12 or fh < 12:
            return
        lo, hi = pts.min(0), pts.max(0)
        x0, x1 = int(max(lo[0] - 0.75 * fw, 0)), int(min(hi[0] + 0.75 * fw, w))
        y0, y1 = int(max(lo[1] - 0.75 * fh, 0)), int(min(hi[1] + 0.9 * fh, h))
        if x1 - x0 < 8 or y1 - y0 < 8:
            return
        kept = self._kept.pop(light, None) if light is not None else None
        if kept is not None and max(abs(a - b) for a, b in zip(kept.box, (x0, y0, x1, y1), strict=True)) \
                > max(4.0, 0.08 * fw):
            kept = None                  # moved too far: work it out afresh
        if kept is not None:
            x0, y0, x1, y1 = kept.box
        roi = image[y0:y1, x0:x1]
        person = mask[y0:y1, x0:x1] if mask is not None else None
        origin = np.array([x0, y0], np.float32)
        local = (pts - origin).astype(np.float32)
        weights = kept.weights if kept is not None else _Weights(source[y0:y1, x0:x1], person, local, head, origin,
                                                                  others)
        if amounts.sag > 0:
            _sag(roi, person, local, head, amounts.sag)
        if amounts.skin > 0:   # the skin's warmth follows the face's own colour: a grey picture stays grey
            _tint(roi, weights, weights.skin, amounts.skin, _dull(weights.warmth), person)
        if amounts.hair > 0:
            _tint(roi, weights, weights.hair, amounts.hair, _SILVER, person)
        gains = self._relief(roi, local, weights.skin_y, amounts, weights.warmth, 2 if light is None else 4,
                             None if kept is None else kept.gains)
        if light is not None and kept is None:
            self._kept[light] = _Kept((x0, y0, x1, y1), weights, gains)

    def _relief(self, roi: np.ndarray, local: np.ndarray, skin_y: float, amounts: Amounts,
                warmth: float = 1.0, f: int = 2, gains: _Gains | None = None) -> _Gains | None:
        """Wrinkle shading, age spots and grey eyebrows from the age map warped onto the mesh.

        The map is smooth, so it is warped and turned into per-channel gains at half resolution; only
        the final gain image is scaled up and multiplied in at full resolution. ``f`` is that reduction (2; 4
        for the light picture: softer wrinkles). ``gains``: the last frame's, to apply again (light). Returns them.
        """
        rh, rw = roi.shape[:2]
        if gains is None:
            gains = self._gains(rh, rw, local, amounts, warmth, f)
            if gains is None:
                return None
        y0, x0, full, weight = gains
        y1, x1 = min(y0 + full.shape[0], rh), min(x0 + full.shape[1], rw)
        face = roi[y0:y1, x0:x1]
        face[:] = cv2.multiply(face, full[:y1 - y0, :x1 - x0], scale=1.0 / GAIN_ONE, dtype=cv2.CV_8U)
        if weight is not None:
            self._brows(face, weight, local - np.array([x0, y0], np.float32), skin_y, f)
        return gains

    @staticmethod
    def _gains(rh: int, rw: int, local: np.ndarray, amounts: Amounts, warmth: float, f: int) -> _Gains | None:
        """(top, left, full-size 8-bit gains, brow weights at 1/``f`` or None) of the relief in a region."""
        warped = _warper().warp((_age_map(),), local * (1 / f), ((rw + f - 1) // f, (rh + f - 1) // f))
        if warped is None:
            return None
        (wp,) = warped
        cover = feathered(wp.coverage, 1.5)
        relief, spots, brows = cv2.split(wp.patch)
        shade = cv2.multiply(relief.astype(np.float32) - np.float32(128.0), cover,
                             scale=amounts.relief * RELIEF / 128.0)
        spot = cv2.multiply(spots, cover, scale=amounts.spots * SPOTS / 255.0, dtype=cv2.CV_32F)
        # The gains as 8-bit fixed point (128 is 1.0): scaling up 8-bit pixels is several times cheaper than
        # float ones, and a gain step of 1/128 is below a grey level on skin.
        # Spots are brown on a colour picture, grey on a black-and-white one (``warmth``).
        tint = SPOT_RGB.mean() + (SPOT_RGB - SPOT_RGB.mean()) * np.float32(warmth)
        factor = cv2.merge([cv2.convertScaleAbs((1.0 + shade) * (1.0 - spot * k), alpha=GAIN_ONE) for k in tint])
        full = cv2.resize(factor, (f * cover.shape[1], f * cover.shape[0]), interpolation=cv2.INTER_LINEAR)
        weight = None
        if amounts.brows > 0:
            weight = cv2.multiply(brows, cover, scale=amounts.brows / 255.0, dtype=cv2.CV_32F)
        return f * wp.y, f * wp.x, full, weight

    @staticmethod
    def _brows(face: np.ndarray, half: np.ndarray, local: np.ndarray, skin_y: float, f: int = 2) -> None:
        """Only the dark hairs of the brows lift to grey, not the skin between them (``half``: weights at
        1/``f`` resolution)."""
        model = assets.face_model()
        ring = np.concatenate([local[model.contour(n)] for n in BROWS])
        pad = 0.25 * (ring.max(0) - ring.min(0)).max()
        x0, y0 = (np.maximum(ring.min(0) - pad, 0) / f).astype(int) * f
        x1, y1 = (ring.max(0) + pad).astype(int)
        part = face[y0:y1, x0:x1]
        if part.shape[0] < 2 or part.shape[1] < 2:
            return
        cut = np.ascontiguousarray(half[y0 // f:(y1 + f - 1) // f, x0 // f:(x1 + f - 1) // f])
        weight = cv2.resize(cut, (f * cut.shape[1], f * cut.shape[0]), interpolation=cv2.INTER_LINEAR)
        y = cv2.cvtColor(part, cv2.COLOR_RGB2GRAY).astype(np.float32)
        dark = np.clip((skin_y - 12.0 - y) / 45.0, 0, 1)
        grey = weight[:part.shape[0], :part.shape[1]] * dark
        part[:] = blend(cv2.transform(part, _SILVER), part, grey)


class _Weights:
    """Skin and hair weights of one face's region, built on a coarse grid (``GRID`` cells across)."""

    def __init__(self, roi: np.ndarray, person: np.ndarray | None, local: np.ndarray, head: Head,
                 origin: np.ndarray, others: list[Head]) -> None:
        rh, rw = roi.shape[:2]
        self.size = (rw, rh)
        q = max(2, round(max(rw, rh) / GRID))
        gw, gh = max(rw // q, 4), max(rh // q, 4)
        # Colour statistics only need a sample per cell (area averaging costs ~15 instructions per source pixel).
        small = cv2.GaussianBlur(cv2.resize(roi, (gw, gh), interpolation=cv2.INTER_LINEAR), (3, 3), 0)
        ycc = cv2.cvtColor(small, YCC).astype(np.float32)
        p = (cv2.resize(person, (gw, gh), interpolation=cv2.INTER_LINEAR) if person is not None
             else np.ones((gh, gw), np.float32))
        gy, gx = np.mgrid[0:gh, 0:gw].astype(np.float32)
        xy = np.stack([(gx + 0.5) * (rw / gw), (gy + 0.5) * (rh / gh)], -1) + origin
        X, Y = head.local(xy)
        # Skin colour model from small patches on cheeks, forehead and nose.
        samples = []
        for i in SKIN_SAMPLES:
            x, y = np.round(local[i]).astype(int)
            if 1 <= x < rw - 1 and 1 <= y < rh - 1:
                samples.append(roi[y - 1:y + 2, x - 1:x + 2].reshape(-1, 3))
        if samples:
            s = cv2.cvtColor(np.concatenate(samples)[None], YCC)[0].astype(np.float32)
            mu, sd = np.median(s, 0), np.maximum(s.std(0), np.array([12.0, 4.0, 4.0], np.float32))
        else:
            mu, sd = np.array([150.0, 150.0, 115.0], np.float32), np.array([40.0, 10.0, 10.0], np.float32)
        self.skin_y = float(mu[0])
        self.warmth = float(np.clip((mu[1] - 128.0) / 8.0, 0.0, 1.0))   # 0 on a black-and-white picture
        z = (ycc - mu) / (sd * np.array([3.0, 2.6, 2.6], np.float32))
        skin_like = np.exp(-0.5 * (z * z).sum(-1))
        # Stricter on brightness to tell skin from hair of a similar hue (blonde, red, light brown).
        zs = z * np.array([2.0, 1.0, 1.0], np.float32)
        notskin = 1 - np.clip(np.exp(-0.5 * (zs * zs).sum(-1)) * 1.6, 0, 1)
        face = np.zeros((gh, gw), np.uint8)
        oval = local[assets.face_model().contour("face_oval_0")] * (gw / rw, gh / rh)
        cv2.fillPoly(face, [np.round(oval * 16).astype(np.int32)], 255, cv2.LINE_AA, 4)
        face = face.astype(np.float32) / 255
        # Cells nearer (in face sizes) to another face belong to that face.
        mine = np.ones((gh, gw), np.float32)
        d_self = _norm(X, Y)
        for o in others:
            ox, oy = o.local(xy)
            mine *= np.clip((_norm(ox, oy) - d_self) * 3 + 0.5, 0, 1)
        # Skin: the face and, around it, skin-coloured pixels of this person (ears, neck).
        zone = np.clip(1.6 - _norm(X / 0.95, (Y + 0.35) / 1.25), 0, 1)
        self.skin = np.clip(np.maximum(face, zone * p) * skin_like * mine, 0, 1)
        # Hair: the colour of what grows at the hairline (just outside the upper face oval, not skin), wherever
        # it appears above and beside the face, down to the shoulders. A hat or collar of another colour stays.
        ring = _norm(X / 0.62, (Y - 0.05) / 0.62)
        hairline = (p > 0.6) & (ring > 0.85) & (ring < 1.2) & (Y > -0.05) & (notskin > 0.7) & (face < 0.5)
        # Hair is never blue nor strongly red or green (navy hats, jackets, sky, shirts stay as they are).
        cr, cb = ycc[..., 1], ycc[..., 2]
        plausible = np.clip((135.0 - cb) / 6, 0, 1) * np.clip((168.0 - cr) / 8, 0, 1) * np.clip((cr - 116.0) / 6, 0, 1)
        hairline &= plausible > 0.5
        # A hat on the head (Grace Hopper's cap) is not hair: it stays as it is.
        self.hat = _hat(roi, hairline, ycc, Y)
        if self.hat is not None:
            hairline &= Y <= HAT_SPLIT
        looks = sides_look = np.zeros((gh, gw), np.float32)
        if hairline.sum() >= 6:
            hs = ycc[hairline]
            hmu, hsd = np.median(hs, 0), np.maximum(hs.std(0), np.array([30.0, 6.0, 6.0], np.float32))
            zh = (ycc - hmu) / hsd
            d2 = (zh * zh).sum(-1)
            looks = np.exp(-0.5 * d2 / 2.2 ** 2)
            sides_look = np.exp(-0.5 * d2 / 1.7 ** 2)      # long hair further down must match more closely
        crown = np.clip((1.0 - _norm(X / 1.05, (Y - 0.1) / 1.0)) * 6, 0, 1) * np.clip((Y + 0.25) * 5, 0, 1)
        sides = np.clip((np.abs(X) - 0.28) * 8, 0, 1) * np.clip((1.1 - np.abs(X)) * 5, 0, 1) * \
            np.clip((Y + 1.15) * 3, 0, 1) * (Y < 0.0)
        hair = np.maximum(crown * np.clip(looks * 1.5, 0, 1), sides * np.clip(sides_look * 1.5, 0, 1))
        # Above the brows, what is more like the hair at the hairline than like the skin is hair, even inside the
        # face oval (a fringe): blonde hair is close to skin in colour, so ``notskin`` alone misses it.
        fringe = np.clip((Y - 0.36) * 20, 0, 1) * np.clip((looks - skin_like) * 4, 0, 1)
        hair *= plausible * p * mine * (np.maximum(notskin, fringe) * (1 - face) + face * fringe)
        self.skin *= 1 - fringe
        anchor = Y > 0.3
        if self.hat is not None:
            zh = (ycc - self.hat) / np.array([20.0, 6.0, 6.0], np.float32)
            hair *= 1 - np.exp(-0.5 * (zh * zh).sum(-1))
            anchor = Y > -0.1                 # under a hat, hair shows at the temples
        # Hair hangs from the head: keep only what connects to the hair on top (not a jacket of the same colour).
        count, labels = cv2.connectedComponents((hair > 0.25).astype(np.uint8), connectivity=8)
        if count > 1:
            top = np.unique(labels[anchor & (hair > 0.25)])
            hair *= np.isin(labels, top[top > 0]) | (hair <= 0.25)
        self.hair = cv2.GaussianBlur(np.clip(hair * 1.5, 0, 1).astype(np.float32), (0, 0), 0.8)
        self.skin = cv2.GaussianBlur(self.skin.astype(np.float32), (0, 0), 0.8)

        self.grid = (gw, gh)

    def region(self, grid: np.ndarray, floor: float = 0.05) -> tuple[slice, slice, np.ndarray] | None:
        """Where ``grid`` is above ``floor``: (pixel rows, pixel columns, full-resolution weights), or None.

        One box per weight: a strip-by-strip cover skipped a little empty area at the price of a
        dozen small OpenCV calls per strip, which cost more than the pixels they spared.
        """
        gw, gh = self.grid
        rw, rh = self.size
        on = grid > floor
        rows, cols = np.nonzero(on.any(axis=1))[0], np.nonzero(on.any(axis=0))[0]
        if not len(rows) or not len(cols):
            return None
        i0, i1 = max(int(rows[0]) - 1, 0), min(int(rows[-1]) + 2, gh)
        j0, j1 = max(int(cols[0]) - 1, 0), min(int(cols[-1]) + 2, gw)
        # Cell centres sit at (i + 0.5) * rh / gh: resizing the cells' box to its pixel box keeps them there.
        y0, y1 = round(i0 * rh / gh), round(i1 * rh / gh)
        x0, x1 = round(j0 * rw / gw), round(j1 * rw / gw)
        if x1 - x0 < 2 or y1 - y0 < 2:
            return None
        # Weights below the floor count as none, so the box's edge is at weight 0 (no rectangle shows).
        cut = np.maximum(grid[i0:i1, j0:j1] - np.float32(floor), 0) * np.float32(1 / (1 - floor))
        full = cv2.resize(cut, (x1 - x0, y1 - y0), interpolation=cv2.INTER_LINEAR)
        return slice(y0, y1), slice(x0, x1), full


def _hat(roi: np.ndarray, hairline: np.ndarray, ycc: np.ndarray, Y: np.ndarray) -> np.ndarray | None:
    """The colour (YCrCb) of a hat on the head, or None.

    What sits on top of the head is a hat rather than hair when the hair at the temples is of a
    clearly different brightness and the top is smooth: hair has strands, a cap has none.
    """
    top, side = hairline & (Y > HAT_SPLIT), hairline & (Y <= HAT_SPLIT)
    if top.sum() < 4 or not side.any():     # under a cap, little hair shows at the temples
        return None
    if abs(float(np.median(ycc[top, 0])) - float(np.median(ycc[side, 0]))) < 12:
        return None
    # Fine detail (strands) per cell, only in the box the hairline covers, on every other pixel (strands still
    # show; sampled, not averaged, so their contrast is kept, for a quarter of the work).
    gh, gw = hairline.shape
    rows, cols = np.nonzero(hairline.any(axis=1))[0], np.nonzero(hairline.any(axis=0))[0]
    i0, i1, j0, j1 = int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
    rh, rw = roi.shape[:2]
    box = roi[i0 * rh // gh:i1 * rh // gh:2, j0 * rw // gw:j1 * rw // gw:2]
    lap = cv2.convertScaleAbs(cv2.Laplacian(cv2.cvtColor(box, cv2.COLOR_RGB2GRAY), cv2.CV_16S))
    detail = cv2.resize(lap, (j1 - j0, i1 - i0), interpolation=cv2.INTER_AREA)
    cells = (slice(i0, i1), slice(j0, j1))
    if float(np.median(detail[top[cells]])) > 0.6 * float(np.median(detail[side[cells]])):
        return None
    return np.median(ycc[top], 0)


def _tint(roi: np.ndarray, weights: _Weights, grid: np.ndarray, amount: float, transform: np.ndarray,
          person: np.ndarray | None) -> None:
    """Blend ``roi`` towards a colour transform of itself by the weight ``grid`` (in one box around it)."""
    found = weights.region(grid)
    if found is None:
        return
    ys, xs, weight = found
    if person is not None:                   # the full-resolution mask cuts the hair's edge
        tight = cv2.addWeighted(person[ys, xs], 2.5 * amount, person[ys, xs], 0.0, -0.5 * amount)
        weight = cv2.multiply(weight, np.clip(tight, 0, amount, out=tight))
    elif amount != 1:
        weight = weight * np.float32(amount)
    part = roi[ys, xs]
    part[:] = blend(cv2.transform(part, transform), part, weight)


@functools.cache
def _identity(width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    """Pixel coordinates (x map, y map) for remapping, sliced for smaller regions."""
    return np.meshgrid(np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32))


def _sag(roi: np.ndarray, person: np.ndarray | None, local: np.ndarray, head: Head, amount: float) -> None:
    """Pull jowls, jawline, cheeks and eye bags down the face, in place (a remap of the lower face)."""
    rh, rw = roi.shape[:2]
    fw, fh = head.width, head.height
    top = int(max(local[[50, 280], 1].min() - 0.12 * fh, 0))
    left = int(max(local[:, 0].min() - 0.2 * fw, 0))
    right = int(min(local[:, 0].max() + 0.2 * fw, rw))
    bottom = int(min(local[:, 1].max() + 0.25 * fh, rh))
    band = roi[top:bottom, left:right]
    bh, bw = band.shape[:2]
    if bh < 8 or bw < 8:
        return
    local = local - np.array([left, 0], np.float32)
    rw = bw
    q = max(4, bw // 40)                               # the field is smooth: about 40 cells across
    gh, gw = -(-bh // q), -(-rw // q)
    gy, gx = np.mgrid[0:gh, 0:gw].astype(np.float32) * q
    gy += top
    drop = np.zeros((gh, gw), np.float32)
    for idx, depth, radius in SAG:
        r2 = 2 * (radius * fw) ** 2
        for i in idx:
            cx, cy = local[i]
            drop += depth * fh * np.exp(-((gx - cx) ** 2 + (gy - cy) ** 2) / r2)
    # Only the head and what hangs from it moves: the face and a little below the jaw, on the person.
    face = np.zeros((gh, gw), np.uint8)
    hull = cv2.convexHull(np.round((local - (0, top)) / q * 16).astype(np.int32))
    cv2.fillConvexPoly(face, hull, 255, cv2.LINE_8, 4)
    grow = max(3, int(0.12 * fh / q)) | 1
    face = cv2.dilate(face, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (grow, grow)))
    drop *= cv2.GaussianBlur(face.astype(np.float32) / 255, (0, 0), max(grow / 3, 1))
    lips = local[list(LIPS)]
    centre, half = lips.mean(0), (lips.max(0) - lips.min(0)) / 2 + 0.05 * fw
    centre = centre + np.array([0.0, 0.04 * fh])              # and the chin just below the lower lip with them
    half = half + np.array([0.0, 0.04 * fh])
    keep = _norm((gx - centre[0]) / half[0], (gy - centre[1]) / max(half[1], 0.1 * fh))
    drop *= np.clip(keep - 0.6, 0, 1) ** 0.7
    if person is not None:
        drop *= cv2.resize(person[top:bottom, left:right], (gw, gh), interpolation=cv2.INTER_AREA)
    drop *= amount
    # Remap only the cells that move by more than a fifth of a pixel (and one cell around them).
    ys, xs = np.nonzero(drop > SAG_MIN_PX)
    if not len(ys):
        return
    i0, i1, j0, j1 = max(ys.min() - 1, 0), min(ys.max() + 2, gh), max(xs.min() - 1, 0), min(xs.max() + 2, gw)
    drop = np.ascontiguousarray(drop[i0:i1, j0:j1])
    oy, ox = int(i0 * q), int(j0 * q)
    part = band[oy:min(i1 * q, bh), ox:min(j1 * q, bw)]
    ph, pw = part.shape[:2]
    size = ((j1 - j0) * q, (i1 - i0) * q)
    dx = cv2.resize(drop * -float(head.up[0]), size, interpolation=cv2.INTER_LINEAR)[:ph, :pw]
    dy = cv2.resize(drop * -float(head.up[1]), size, interpolation=cv2.INTER_LINEAR)[:ph, :pw]
    mx, my = _identity(2048, 2048) if pw > 640 or ph > 640 else _identity(640, 640)
    part[:] = cv2.remap(band, mx[:ph, :pw] + (ox - dx), my[:ph, :pw] + (oy - dy), cv2.INTER_LINEAR,
                        borderMode=cv2.BORDER_REPLICATE)
