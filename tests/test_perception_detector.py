"""FaceDetector on real photos: one face, close to the float model, anatomically ordered."""

from __future__ import annotations

import numpy as np
import pytest

from magicbooth.core.config import Config
from magicbooth.perception import Perception
from magicbooth.perception.anchors import iou
from magicbooth.perception.detector import FaceDetector, letterbox
from magicbooth.perception.loading import open_model, open_reference
from tests.perception_helpers import astronaut, frame, grace_hopper, rocket

PHOTOS = {"astronaut": astronaut, "grace_hopper": grace_hopper}


@pytest.fixture(scope="module")
def detectors() -> tuple[FaceDetector, FaceDetector]:
    config = Config()
    return FaceDetector(open_model("detector", config)), FaceDetector(open_reference("detector", config))


@pytest.mark.parametrize("name", PHOTOS)
def test_one_face_matching_float(detectors: tuple[FaceDetector, FaceDetector], name: str) -> None:
    image = PHOTOS[name]()
    ours, reference = detectors
    rows, scores = ours.detect(image)
    ref_rows, _ = reference.detect(image)
    assert len(rows) == 1 and len(ref_rows) == 1
    assert scores[0] >= 0.5
    assert iou(rows[0, :4], ref_rows[:, :4])[0] >= 0.9


@pytest.mark.parametrize("name", PHOTOS)
def test_keypoints_anatomically_ordered(name: str) -> None:
    image = PHOTOS[name]()
    scene = Perception(Config(), {"faces"}).process_still(frame(image))
    assert len(scene.faces) == 1
    face = scene.faces[0]
    k = face.keypoints
    x, y, w, h = face.box
    for px, py in k.values():  # every keypoint near the box
        assert x - 0.3 * w <= px <= x + 1.3 * w and y - 0.3 * h <= py <= y + 1.3 * h
    eyes_y = max(k["right_eye"][1], k["left_eye"][1])
    assert eyes_y < k["nose_tip"][1] < k["mouth_center"][1]
    # Unmirrored photo: the subject's right eye and ear are on the image's left.
    assert k["right_eye"][0] < k["nose_tip"][0] < k["left_eye"][0]
    assert k["right_ear_tragion"][0] < k["right_eye"][0] and k["left_eye"][0] < k["left_ear_tragion"][0]


def test_no_person_no_face_little_mask() -> None:
    scene = Perception(Config(), {"faces", "mask"}).process_still(frame(rocket()))
    assert scene.faces == ()
    assert scene.mask is not None and scene.mask.shape == rocket().shape[:2]
    assert float(scene.mask.mean()) < 0.02


def test_box_in_frame_pixels_for_any_aspect() -> None:
    """Letterboxing must not shift boxes: a face padded into a wide frame moves by exactly the padding."""
    image = astronaut()
    wide = np.zeros((512, 683, 3), np.uint8)
    wide[:, 85:597] = image
    det = Perception(Config(), {"faces"})
    a = det.process_still(frame(image)).faces[0].box
    b = det.process_still(frame(wide)).faces[0].box
    assert abs((b[0] - 85) - a[0]) < 0.2 * a[2] and abs(b[1] - a[1]) < 0.2 * a[3]  # a padding slip is ~85 px


def test_letterbox_geometry() -> None:
    """A dot's position in the letterboxed square maps back to where it was in the frame."""
    for w, h in ((640, 480), (480, 640), (683, 512)):
        image = np.zeros((h, w, 3), np.uint8)
        x, y = int(w * 0.7), int(h * 0.2)
        image[y - 6:y + 6, x - 6:x + 6] = 255
        square, scale, pad_x, pad_y = letterbox(image, 128)
        assert square.shape == (128, 128, 3)
        ys, xs = np.nonzero(square[..., 0] > 100)
        back_x, back_y = (xs.mean() + 0.5 - pad_x) / scale, (ys.mean() + 0.5 - pad_y) / scale
        assert abs(back_x - x) < 2 / scale and abs(back_y - y) < 2 / scale
