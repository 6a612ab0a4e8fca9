"""The full-range detector in the factory: sparse weights densified exactly; small-face scenes put the face where
they say; the report's far-face recall runs the app's scan.

About 10 s after the one-off mediapipe wheel download (``tests/test_models_pipeline.py``).
"""

from __future__ import annotations

import numpy as np
import pytest

from magicbooth.inference.loader import load_model
from tools.modelfactory import datasets, faces, pipeline, scenes, smallfaces, source
from tools.modelfactory import graph as g
from tools.modelfactory.runner import Runner
from tools.modelfactory.specs import SPECS

NAME = "face_detection_full_range"


@pytest.fixture(scope="module")
def floats() -> dict[str, pipeline.FloatBuild]:
    return pipeline.load_floats(source.default_cache(), [NAME, "face_detection_short_range"])


def test_sparse_weights_are_densified_bit_for_bit(floats: dict[str, pipeline.FloatBuild]) -> None:
    build = floats[NAME]
    original = g.load(build.original.data)
    kinds = {g.op_name(original, op) for op in original.subgraphs[0].operators}
    assert "DENSIFY" in kinds
    reference = g.load(build.reference)
    assert not {"DENSIFY", "DEQUANTIZE"} & {g.op_name(reference, op) for op in reference.subgraphs[0].operators}
    assert build.passes["fold_densify"] == 46
    rng = np.random.default_rng(1)
    probes = [rng.uniform(-1, 1, (1, 192, 192, 3)).astype(np.float32) for _ in range(2)]
    for a, b in zip(Runner(build.original.data)(probes[0]), Runner(build.reference)(probes[0]), strict=True):
        assert np.array_equal(a, b)
    assert all(check.passed for check in pipeline.check_float(build, probes))


def test_small_face_scenes_put_the_face_where_they_say(floats: dict[str, pipeline.FloatBuild]) -> None:
    short = Runner(floats["face_detection_short_range"].reference)
    spec = SPECS["face_detection_short_range"]
    rescale = scenes.Rescaler("held_out", lambda image: np.ones(image.shape[:2], np.float32),
                              lambda photo: datasets.photo_face(short, photo))
    draws = [s.draw for s in scenes.scenes("held_out", 6, lambda image: np.ones(image.shape[:2], np.float32))]
    rng = np.random.default_rng(3)
    for draw in draws:
        assert draw is not None
        small = rescale(draw, rng)
        assert 24 <= small.width <= 48
        # Cut 4 face widths around where the face should be and look with the short-range detector, which
        # sees a face that size well: it must be there, that wide.
        x, y, side = small.centre[0], small.centre[1], 4 * small.width
        crop = faces.face_crop(small.image, np.array([x, y]), side, 0.0, 128)
        found = faces.decode(*short(datasets.normalise(crop, spec)))
        assert found, small.recipe
        box = found[0].box * side - side / 2        # relative to the expected centre, in scene pixels
        assert np.hypot((box[0] + box[2]) / 2, (box[1] + box[3]) / 2) < 0.25 * small.width
        assert 0.6 < (box[2] - box[0]) / small.width < 1.6


def test_the_far_face_table_counts_hits_and_false_detections() -> None:
    full = load_model(NAME, threads=1)
    looker = smallfaces.Looker("full", lambda x: list(full.invoke(x).values()), SPECS[NAME], scan=True)
    blank = scenes.SmallFace(np.full((480, 640, 3), 90, np.uint8), (320.0, 240.0), 30.0, "grey")
    assert smallfaces.found_in(looker, blank) == (False, 0)
    table = smallfaces.evaluate([looker], [blank])
    assert table["rows"][0]["found"] == 0 and table["rows"][0]["24-32 px"] == "0/1"
