"""The committed assets: small, complete, loadable, and a face mesh that is one well-formed surface."""

from __future__ import annotations

from collections import Counter

import numpy as np

from magicbooth.effects import assets


def test_assets_are_small_and_attributed() -> None:
    files = list(assets.ASSETS.iterdir())
    assert sum(f.stat().st_size for f in files) < 1_000_000
    assert "MediaPipe" in (assets.ASSETS / "NOTICE").read_text()


def test_every_asset_loads() -> None:
    for name in ("ape", "robot", "cartoon"):
        assert assets.image(f"face_{name}.png").shape == (320, 320, 3)
    assert assets.gray("wrinkles.png").shape == (320, 320)
    for design in assets.stickers():
        img = assets.image(f"sticker_{design}.png", alpha=True)
        assert img.shape[2] == 4 and img[..., 3].min() == 0 and img[..., 3].max() == 255
    assert len(assets.video("clouds.mp4")) >= 12
    assert assets.image("construction_site.jpg").shape == (480, 640, 3)


def test_face_mesh_is_one_consistently_wound_surface_with_three_holes() -> None:
    model = assets.face_model()
    assert model.uv.shape == (468, 2) and model.uv.min() >= 0 and model.uv.max() <= 1
    tris = model.triangles
    assert len(np.unique(tris)) == 468
    directed = Counter((int(a), int(b)) for t in tris for a, b in ((t[0], t[1]), (t[1], t[2]), (t[2], t[0])))
    assert max(directed.values()) == 1, "each directed edge once: neighbours wind the same way"
    boundary = [e for e in directed if (e[1], e[0]) not in directed]
    loops = {frozenset(v for e in boundary for v in e)}
    holes = {frozenset(model.contour(n).tolist()) for n in ("face_oval_0", "right_eye_0", "left_eye_0", "lips_1")}
    assert loops == {frozenset().union(*holes)}, "the only borders are the face outline, the eyes and the mouth"
