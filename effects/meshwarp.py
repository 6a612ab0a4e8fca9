"""Piecewise-affine warping of a face-layout texture onto a 468-point face mesh.

Each mesh triangle maps its texture triangle affinely onto the frame. Instead of one
``warpAffine`` per triangle (hundreds of calls), we rasterise triangle ids once into the face's
bounding box (front-facing triangles only, far ones first), evaluate every pixel's texture
coordinate from its triangle's affine map with numpy, and sample with a single ``cv2.remap``.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from magicbooth.effects.assets import FaceModel


@dataclass(frozen=True)
class Warped:
    """A warped texture patch at ``(x, y)`` in the frame, with its coverage (1 inside the mesh)."""

    x: int
    y: int
    patch: np.ndarray
    coverage: np.ndarray

    @property
    def slices(self) -> tuple[slice, slice]:
        h, w = self.coverage.shape
        return slice(self.y, self.y + h), slice(self.x, self.x + w)


class MeshWarper:
    """Warps textures painted in the layout of ``model`` (size ``tex_size``) onto face meshes."""

    def __init__(self, model: FaceModel, tex_size: int, step: int = 2) -> None:
        self.model = model
        self.step = step
        self.tex_uv = model.uv * (tex_size - 1)
        self.tris = model.triangles
        # Texture-space corners per triangle: (n, 3, 2).
        self._tex = self.tex_uv[self.tris].astype(np.float64)

    def warp(self, textures: tuple[np.ndarray, ...], points: np.ndarray, frame_size: tuple[int, int],
             region: np.ndarray | None = None) -> tuple[Warped, ...] | None:
        """Warp each texture onto the mesh ``points`` (468, 2+) within a (w, h) frame.

        ``region`` optionally restricts to a subset of triangle indices. Returns None when the
        face is off-frame or degenerate.
        """
        w, h = frame_size
        pts = points[:, :2].astype(np.float64)
        x0, y0 = np.floor(pts.min(0)).astype(int)
        x1, y1 = np.ceil(pts.max(0)).astype(int) + 1
        x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
        if x1 - x0 < 2 or y1 - y0 < 2:
            return None
        tris = self.tris if region is None else self.tris[region]
        tex = self._tex if region is None else self._tex[region]
        dst = pts[tris] - (x0, y0)                                    # (n, 3, 2)
        e1, e2 = dst[:, 1] - dst[:, 0], dst[:, 2] - dst[:, 0]
        cross = e1[:, 0] * e2[:, 1] - e1[:, 1] * e2[:, 0]
        front = cross > 1e-3                                          # same winding as the layout
        if not front.any():
            return None
        dst, tex, tris = dst[front], tex[front], tris[front]
        e1, e2 = e1[front], e2[front]
        # Affine dst -> tex per triangle, in closed form: tex = t0 + [f1 f2] @ inv([e1 e2]) @ (p - d0).
        inv = np.stack([np.stack([e2[:, 1], -e2[:, 0]], 1), np.stack([-e1[:, 1], e1[:, 0]], 1)], 1)
        inv /= cross[front, None, None]                               # rows of inv([e1 e2])
        f = np.stack([tex[:, 1] - tex[:, 0], tex[:, 2] - tex[:, 0]], 2)  # (n, 2, 2): columns f1, f2
        lin = f @ inv                                                 # (n, 2, 2): tex = lin @ (p - d0) + t0
        shift = tex[:, 0] - np.einsum("nij,nj->ni", lin, dst[:, 0])
        coef = np.concatenate([lin.transpose(0, 2, 1), shift[:, None, :]], axis=1)  # (n, 3, 2) like [x y 1] @ coef
        depth = points[tris, 2].mean(1) if points.shape[1] > 2 else np.zeros(len(tris))
        order = np.argsort(-depth, kind="stable")                     # far first; near ones overwrite
        # Rasterise and evaluate the (continuous, piecewise-linear) map at reduced resolution,
        # then upsample it: bilinear interpolation of a piecewise-linear map is nearly exact.
        bw, bh = x1 - x0, y1 - y0
        step = self.step if min(bw, bh) > 64 else 1
        sw, sh = -(-bw // step), -(-bh // step)
        ids = np.zeros((sh, sw), np.uint16)
        offset = (step - 1) / 2  # small pixel j samples full-resolution position j * step + offset
        corners = np.round((dst - offset) / step * 16).astype(np.int32)
        for i in order:
            cv2.fillConvexPoly(ids, corners[i], int(i) + 1, cv2.LINE_8, 4)
        inside = ids > 0
        if step > 1:  # extend the rim by one sample so upsampling has valid values at the edge
            ids = np.where(inside, ids, cv2.dilate(ids, np.ones((3, 3), np.uint8)))
        table = np.vstack([np.zeros((1, 3, 2)), coef]).astype(np.float32)
        yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32) * step + offset
        c = table[ids]                                                # (h, w, 3, 2)
        map_u = c[..., 0, 0] * xx + c[..., 1, 0] * yy + c[..., 2, 0]
        map_v = c[..., 0, 1] * xx + c[..., 1, 1] * yy + c[..., 2, 1]
        coverage = inside.astype(np.float32)
        if step > 1:
            big = (sw * step, sh * step)
            map_u = cv2.resize(map_u, big, interpolation=cv2.INTER_LINEAR)[:bh, :bw]
            map_v = cv2.resize(map_v, big, interpolation=cv2.INTER_LINEAR)[:bh, :bw]
            coverage = (cv2.resize(coverage, big, interpolation=cv2.INTER_LINEAR)[:bh, :bw] > 0.5).astype(np.float32)
        # Never draw outside the mesh's convex hull.
        hull = np.zeros((bh, bw), np.uint8)
        cv2.fillConvexPoly(hull, cv2.convexHull(np.round((pts - (x0, y0)) * 16).astype(np.int32)), 1, cv2.LINE_8, 4)
        coverage *= hull
        return tuple(Warped(int(x0), int(y0),
                            cv2.remap(t, map_u, map_v, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE),
                            coverage) for t in textures)


def feathered(coverage: np.ndarray, px: float) -> np.ndarray:
    """Coverage softened towards its edges, never leaking outside it (for edge blending)."""
    if px <= 0:
        return coverage
    k = int(px) * 2 + 1
    inner = cv2.erode(coverage, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    return cv2.GaussianBlur(inner, (0, 0), px / 2) * coverage


def blend_into(image: np.ndarray, warped: Warped, patch: np.ndarray, alpha: np.ndarray) -> None:
    """``image[region] = patch * alpha + image[region] * (1 - alpha)`` in place, alpha in 0..1."""
    ys, xs = warped.slices
    dst = image[ys, xs]
    dst[:] = cv2.blendLinear(patch, dst, alpha, 1.0 - alpha)
