"""Faces at kiosk distance: the full-range detector's scan finds faces 24-44 px wide; tracking takes over.

The far guests are public-domain photos scaled down onto a photo without people (640x480), their face
boxes measured once with the float short-range detector on the full-size photo.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from magicbooth.core.config import Config
from magicbooth.core.errors import ConfigError, ModelError
from magicbooth.core.frames import Frame
from magicbooth.perception import Perception
from magicbooth.perception.finder import FaceFinder
from magicbooth.perception.regions import scan_regions
from tests.perception_helpers import astronaut, frame, grace_hopper, rocket

# Face boxes (x_min, y_min, x_max, y_max) in the full-size photos, by the float short-range detector.
PHOTOS = {"astronaut": (astronaut, (178.1, 80.9, 272.1, 175.0)),
          "grace_hopper": (grace_hopper, (165.7, 143.1, 365.6, 342.9))}


def far_guest(name: str, width_px: float, at: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """A 640x480 picture with ``name``'s face ``width_px`` wide; returns it and the face centre."""
    photo, box = PHOTOS[name]
    scale = width_px / (box[2] - box[0])
    small = cv2.resize(photo(), None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    picture = cv2.resize(rocket(), (640, 480), interpolation=cv2.INTER_AREA)
    x, y = at
    picture[y:y + small.shape[0], x:x + small.shape[1]] = small
    return picture, np.array([(box[0] + box[2]) / 2 * scale + x, (box[1] + box[3]) / 2 * scale + y])


def first_found(perception: Perception, picture: np.ndarray, calls: int) -> tuple[int, np.ndarray] | None:
    """The call on which a face was found and its centre, or None within ``calls`` frames."""
    for index in range(calls):
        scene = perception.process(frame(picture, index))
        if scene.faces:
            x, y, w, h = scene.faces[0].box
            return index, np.array([x + w / 2, y + h / 2])
    return None


CASES = [("astronaut", 24, (100, 60)), ("astronaut", 30, (380, 240)), ("grace_hopper", 30, (380, 240)),
         ("grace_hopper", 44, (100, 60))]


@pytest.mark.parametrize(("name", "width", "at"), CASES)
def test_auto_finds_a_far_face_within_one_scan_where_short_range_does_not(name: str, width: float,
                                                                           at: tuple[int, int]) -> None:
    picture, centre = far_guest(name, width, at)
    regions = len(scan_regions(640, 480))
    short = Perception(Config().replace("perception", detector="short", max_faces=1), {"faces"})
    assert first_found(short, picture, regions) is None
    auto = Perception(Config().replace("perception", detector="auto", max_faces=1), {"faces"})
    found = first_found(auto, picture, regions)
    assert found is not None, f"{name} at {width} px not found in one pass over {regions} regions"
    assert np.linalg.norm(found[1] - centre) < width / 2
    assert auto.detector is not None and auto.detector.last.startswith("full ")
    # The region that found it is looked at again: a faces-only effect keeps the face every frame.
    following = [auto.process(frame(picture, 100 + i)) for i in range(3)]
    assert all(len(s.faces) == 1 for s in following)


def test_near_faces_never_start_the_scan() -> None:
    # detect_every=1: the detector on every frame (no following between), so each call is a decision to count
    perception = Perception(Config().replace("perception", max_faces=1, detect_every=1), {"faces"})
    picture = cv2.resize(astronaut(), (640, 480))
    scenes = [perception.process(frame(picture, i)) for i in range(5)]
    assert all(len(s.faces) == 1 for s in scenes)
    assert perception.detector is not None
    assert perception.detector.calls == 5 and perception.detector.far_calls == 0
    assert perception.detector.last == "short"


def test_full_mode_runs_only_the_full_range_detector() -> None:
    picture, centre = far_guest("grace_hopper", 36, (380, 240))
    perception = Perception(Config().replace("perception", detector="full", max_faces=1), {"faces"})
    found = first_found(perception, picture, 10)
    assert found is not None and np.linalg.norm(found[1] - centre) < 18
    assert perception.detector is not None and perception.detector.near is None


def test_the_mesh_tracks_a_far_face_once_found_and_detection_stops() -> None:
    picture, centre = far_guest("astronaut", 30, (380, 240))
    perception = Perception(Config().replace("perception", max_faces=1), {"mesh"})
    scenes = [perception.process(frame(picture, i)) for i in range(20)]
    first = next(i for i, s in enumerate(scenes) if s.meshes)
    assert first < len(scan_regions(640, 480))
    assert all(len(s.meshes) == 1 for s in scenes[first:])
    assert perception.detector is not None and perception.detector.calls == first + 1
    x, y, w, h = scenes[-1].faces[0].box
    assert np.linalg.norm(np.array([x + w / 2, y + h / 2]) - centre) < 6 and 20 < w < 45


def test_tiles_come_from_the_full_frame_and_whole_passes_from_the_low_res_stream() -> None:
    picture, centre = far_guest("astronaut", 30, (380, 240))
    lores = cv2.resize(picture, (320, 240), interpolation=cv2.INTER_AREA)
    perception = Perception(Config().replace("perception", detector="full", max_faces=1), {"faces"})
    found = None
    for index in range(10):
        scene = perception.process(Frame(picture, index / 30, index, lores))
        if scene.faces:
            x, y, w, h = scene.faces[0].box
            found = np.array([x + w / 2, y + h / 2])
            break
    assert found is not None and np.linalg.norm(found - centre) < 15   # in frame pixels, not low-res ones


def test_a_finder_is_refused_without_the_detector_its_mode_needs() -> None:
    with pytest.raises(ValueError, match="short-range"):
        FaceFinder("auto", near=None, far=None)
    with pytest.raises(ValueError, match="full-range"):
        FaceFinder("full", near=None, far=None)
    with pytest.raises(ConfigError, match="detector"):
        FaceFinder("far")
    with pytest.raises(ConfigError, match=r"\[perception\] detector"):
        Config().replace("perception", detector="near")


def test_auto_falls_back_to_short_range_when_the_full_range_model_is_missing(
        caplog: pytest.LogCaptureFixture) -> None:
    from magicbooth.perception.loading import open_model

    def opener(kind: str):
        if kind == "far_detector":
            raise ModelError("face_detection_full_range_int8.tflite: model file missing")
        return open_model(kind, Config())

    auto = Perception(Config(), {"faces"}, opener=opener)
    assert auto.detector is not None and auto.detector.mode == "short"
    assert "faces beyond about 2 m are not found" in caplog.text
    with pytest.raises(ModelError):
        Perception(Config().replace("perception", detector="full"), {"faces"}, opener=opener)


def test_effects_and_doctor_say_whether_far_faces_are_looked_for(monkeypatch: pytest.MonkeyPatch,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    from magicbooth.cli import main
    from magicbooth.doctor.detectors import check_far_faces
    from magicbooth.perception import loading

    assert check_far_faces(Config()).status == "ok"
    short = check_far_faces(Config().replace("perception", detector="short"))
    assert short.status == "ok" and "short range only" in short.detail

    real = loading.open_model

    def broken(kind: str, config: Config):
        if kind == "far_detector":
            raise ModelError("face_detection_full_range_int8.tflite: sha256 does not match the manifest")
        return real(kind, config)

    monkeypatch.setattr(loading, "open_model", broken)
    auto = check_far_faces(Config())
    assert auto.status == "warn" and "falls back to short range" in auto.detail and "build_models.py" in auto.fix
    assert check_far_faces(Config().replace("perception", detector="full")).status == "FAIL"
    assert main(["effects"]) == 0
    assert "far faces: not available — full-range model unavailable" in capsys.readouterr().out
