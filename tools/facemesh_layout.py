"""Build the face-mesh texture layout the effects map textures through.

MediaPipe's face landmark model (Apache-2.0, from the ``mediapipe==0.10.14`` wheel) names
468 points; the wheel ships the mesh *edges* (``FACEMESH_TESSELATION`` and the feature
contours) but not the canonical model's UV coordinates. So we make our own layout: run the
float landmark model on two frontal public-domain portraits, align them, average, make the
result left-right symmetric and normalise it into the unit square. Triangles are the
3-cliques of the tessellation edges, with the few spurious (separating) ones removed.

Used by ``tools/make_assets.py``; needs the ``models`` extra (scikit-image, matplotlib).
"""

from __future__ import annotations

import ast
import zipfile
from collections import Counter
from pathlib import Path

import cv2
import numpy as np

CONNECTIONS = "mediapipe/python/solutions/face_mesh_connections.py"
LANDMARK_MODEL = "mediapipe/modules/face_landmark/face_landmark.tflite"
# Rough face centre and crop size in each portrait, refined by a second pass of the model.
PORTRAITS = {"astronaut": (224, 125, 170), "grace_hopper": (262, 235, 260)}
CONTOURS = {
    "face_oval": "FACEMESH_FACE_OVAL", "lips": "FACEMESH_LIPS", "right_eye": "FACEMESH_RIGHT_EYE",
    "left_eye": "FACEMESH_LEFT_EYE", "right_eyebrow": "FACEMESH_RIGHT_EYEBROW",
    "left_eyebrow": "FACEMESH_LEFT_EYEBROW", "nose": "FACEMESH_NOSE",
}


def read_connections(wheel: Path) -> dict[str, list[tuple[int, int]]]:
    """The edge lists defined in the wheel's face_mesh_connections module (parsed, not imported)."""
    with zipfile.ZipFile(wheel) as zf:
        source = zf.read(CONNECTIONS).decode()
    found: dict[str, list[tuple[int, int]]] = {}
    for node in ast.parse(source).body:
        if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and node.value.args
                and isinstance(node.value.args[0], ast.List)):
            found[node.targets[0].id] = [tuple(ast.literal_eval(e)) for e in node.value.args[0].elts]
    return found


def portraits() -> dict[str, np.ndarray]:
    """The two public-domain RGB portraits shipped with scikit-image and matplotlib."""
    import matplotlib.cbook
    import skimage.data
    from PIL import Image

    with matplotlib.cbook.get_sample_data("grace_hopper.jpg") as fh:
        grace = np.asarray(Image.open(fh).convert("RGB"))
    return {"astronaut": skimage.data.astronaut(), "grace_hopper": grace}


class LandmarkModel:
    """The float MediaPipe face landmark model, run on a square crop."""

    def __init__(self, wheel: Path) -> None:
        from ai_edge_litert.interpreter import Interpreter

        with zipfile.ZipFile(wheel) as zf:
            content = zf.read(LANDMARK_MODEL)
        self._it = Interpreter(model_content=content, num_threads=1)
        self._it.allocate_tensors()

    def run(self, image: np.ndarray, cx: float, cy: float, size: float) -> np.ndarray:
        """(468, 3) points in image pixels for the face in the square crop at (cx, cy)."""
        scale = 192.0 / size
        x0, y0 = cx - size / 2, cy - size / 2
        warp = np.float32([[scale, 0, -x0 * scale], [0, scale, -y0 * scale]])
        crop = cv2.warpAffine(image, warp, (192, 192), flags=cv2.INTER_LINEAR)
        self._it.set_tensor(self._it.get_input_details()[0]["index"], crop[None].astype(np.float32) / 255)
        self._it.invoke()
        out = self._it.get_tensor(self._it.get_output_details()[0]["index"]).reshape(468, 3).copy()
        out[:, :2] = out[:, :2] / scale + (x0, y0)
        out[:, 2] /= scale
        return out

    def fit(self, image: np.ndarray, cx: float, cy: float, size: float) -> np.ndarray:
        """Two passes: the first finds the face, the second crops it the way the model expects."""
        pts = self.run(image, cx, cy, size)
        lo, hi = pts[:, :2].min(0), pts[:, :2].max(0)
        centre = (lo + hi) / 2
        return self.run(image, float(centre[0]), float(centre[1]), float((hi - lo).max() * 1.5))


def _normalise(points: np.ndarray) -> np.ndarray:
    p = points[:, :2] - points[:, :2].mean(0)
    return p / np.sqrt((p ** 2).sum(1).mean())


def _align(p: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Rotate p onto ref (both centred and scaled)."""
    u, _, vt = np.linalg.svd(p.T @ ref)
    return p @ (u @ vt)


def symmetric_layout(meshes: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Average the aligned meshes, pair each point with its mirror image, symmetrise.

    Returns (uv in the unit square, mirror index of each point).
    """
    from scipy.optimize import linear_sum_assignment

    ref = _normalise(meshes[0])
    mean = np.mean([ref] + [_align(_normalise(m), ref) for m in meshes[1:]], axis=0)
    mirrored = mean * (-1, 1)
    cost = np.linalg.norm(mean[:, None] - mirrored[None], axis=2)
    _, mirror = linear_sum_assignment(cost)
    sym = (mean + mirrored[mirror]) / 2
    lo, hi = sym.min(0), sym.max(0)
    uv = (sym - lo) / (hi - lo).max()
    uv += (1 - uv.max(0)) / 2
    return uv.astype(np.float32), mirror.astype(np.int16)


def triangles(edges: list[tuple[int, int]], uv: np.ndarray) -> np.ndarray:
    """Triangles of the tessellation: its 3-cliques, minus those that cover other triangles."""
    adj: dict[int, set[int]] = {}
    for a, b in edges:
        adj.setdefault(a, set()).add(b)
        adj.setdefault(b, set()).add(a)
    tris = {tuple(sorted((a, b, c))) for a, b in edges for c in adj[a] & adj[b]}

    def area(t: tuple[int, ...]) -> float:
        p = uv[list(t)]
        return abs(float(np.cross(np.r_[p[1] - p[0], 0], np.r_[p[2] - p[0], 0])[2])) / 2

    while True:
        use = Counter(e for t in tris for e in ((t[0], t[1]), (t[1], t[2]), (t[0], t[2])))
        crowded = [e for e, n in use.items() if n > 2]
        if not crowded:
            break
        e = crowded[0]
        tris.discard(max((t for t in tris if set(e) <= set(t)), key=area))
    return orient(sorted(tris), uv)


def orient(tris: list[tuple[int, ...]], uv: np.ndarray) -> np.ndarray:
    """Wind every triangle consistently with its neighbours (as on the 3-D surface), then pick the
    global direction that makes most triangles counter-clockwise in the layout.

    Winding each triangle counter-clockwise in the 2-D layout on its own would be wrong where the
    layout folds (nose wings): there the surface faces away, and the renderer must see that.
    """
    edge_owner: dict[tuple[int, int], list[int]] = {}
    for i, t in enumerate(tris):
        for a, b in ((t[0], t[1]), (t[1], t[2]), (t[2], t[0])):
            edge_owner.setdefault((min(a, b), max(a, b)), []).append(i)
    wound: dict[int, tuple[int, ...]] = {0: tris[0]}
    queue = [0]
    while queue:
        i = queue.pop()
        t = wound[i]
        for a, b in ((t[0], t[1]), (t[1], t[2]), (t[2], t[0])):
            for j in edge_owner[(min(a, b), max(a, b))]:
                if j in wound:
                    continue
                u = tris[j]
                # A neighbour must run along the shared edge the other way (b -> a).
                directed = {(u[0], u[1]), (u[1], u[2]), (u[2], u[0])}
                wound[j] = u if (b, a) in directed else (u[0], u[2], u[1])
                queue.append(j)
    if len(wound) != len(tris):
        raise ValueError("face mesh is not one connected surface")
    out = np.array([wound[i] for i in range(len(tris))], dtype=np.int16)
    p = uv[out]
    e1, e2 = p[:, 1] - p[:, 0], p[:, 2] - p[:, 0]
    cross = e1[:, 0] * e2[:, 1] - e1[:, 1] * e2[:, 0]
    return out if (cross > 0).sum() >= len(out) / 2 else out[:, [0, 2, 1]]


def chains(edges: list[tuple[int, int]]) -> list[list[int]]:
    """Order an edge set into its polylines (closed loops repeat no point)."""
    adj: dict[int, list[int]] = {}
    for a, b in edges:
        adj.setdefault(a, []).append(b)
        adj.setdefault(b, []).append(a)
    seen: set[tuple[int, int]] = set()
    out = []
    starts = sorted(adj, key=lambda v: (len(adj[v]) != 1, v))  # open ends first
    for start in starts:
        for nxt in adj[start]:
            if (start, nxt) in seen:
                continue
            path, prev, cur = [start], start, nxt
            seen.update({(start, nxt), (nxt, start)})
            while cur != start:
                path.append(cur)
                options = [n for n in adj[cur] if n != prev and (cur, n) not in seen]
                if not options:
                    break
                prev, cur = cur, options[0]
                seen.update({(prev, cur), (cur, prev)})
            out.append(path)
    return out


def build(wheel: Path) -> dict[str, np.ndarray]:
    """Everything for ``effects/assets/face_mesh.npz``."""
    conns = read_connections(wheel)
    model = LandmarkModel(wheel)
    photos = portraits()
    meshes = [model.fit(photos[name], *PORTRAITS[name]) for name in PORTRAITS]
    uv, mirror = symmetric_layout(meshes)
    data = {"uv": uv, "mirror": mirror, "triangles": triangles(conns["FACEMESH_TESSELATION"], uv)}
    for key, const in CONTOURS.items():
        for i, chain in enumerate(sorted(chains(conns[const]), key=len, reverse=True)):
            data[f"{key}_{i}"] = np.array(chain, dtype=np.int16)
    return data
