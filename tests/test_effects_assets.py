"""The committed assets: small, complete, listed in the manifest, loadable, and a well-formed face mesh."""

from __future__ import annotations

import json
from collections import Counter

import numpy as np

from magicbooth.effects import assets, characters
from magicbooth.effects.faces import head_layout
from magicbooth.effects.sticker import DESIGNS, atlas


def test_assets_are_small_and_attributed() -> None:
    files = list(assets.ASSETS.iterdir())
    assert sum(f.stat().st_size for f in files) < 1_500_000
    notice = (assets.ASSETS / "NOTICE").read_text()
    assert "MediaPipe" in notice and "CC0" in notice and "public domain" in notice


def test_manifest_lists_every_asset_with_source_licence_and_how() -> None:
    manifest = json.loads((assets.ASSETS / "manifest.json").read_text())
    rows = {r["file"]: r for r in manifest["assets"]}
    on_disk = {p.name for p in assets.ASSETS.iterdir() if p.is_file() and p.suffix != ".py"} - {"manifest.json",
                                                                                                "NOTICE"}
    assert set(rows) == on_disk
    for row in rows.values():
        assert row["source"] and row["licence"] and row["how"] and row["group"], row


def test_characters_have_a_photo_and_a_full_head_mesh() -> None:
    for name in characters.CHARACTERS:
        src = characters.source(name)
        h, w = src.image.shape[:2]
        assert src.points.shape == (head_layout().size, 2)
        assert (src.points >= -1).all() and (src.points[:, 0] <= w + 1).all() and (src.points[:, 1] <= h + 1).all()
        assert 0 <= src.hue_follow <= 1


def test_every_asset_loads() -> None:
    assert assets.image("age_map.png").shape == (384, 384, 3)
    assert assets.gray("kaiju_alpha.png").shape == assets.image("kaiju_sheet.jpg").shape[:2]
    spec = assets.stickers()
    assert sorted(spec["designs"]) == sorted(DESIGNS)
    for design in DESIGNS:
        sheet = assets.image(f"sticker_{design}.png", alpha=True)
        assert sheet.shape == (spec["cell"][1] * len(spec["pitches"]), spec["cell"][0] * len(spec["yaws"]), 4)
        front, _ = atlas(design).view(0, 0)
        assert front[..., 3].min() == 0 and front[..., 3].max() == 255
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
