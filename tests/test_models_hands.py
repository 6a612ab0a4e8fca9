"""The factory's hand pieces: rendered scenes, palm decoding and hand crops, metrics, islands with shared constants."""

from __future__ import annotations

import numpy as np

from magicbooth.inference.loader import MODELS_DIR
from tools.modelfactory import faces, handrender, hands, handscenes, islands, metrics, ranges
from tools.modelfactory import graph as g
from tools.modelfactory.runner import Runner
from tools.modelfactory.specs import SPECS

PALM = Runner((MODELS_DIR / "palm_detection_lite_float.tflite").read_bytes())
LANDMARKS = Runner((MODELS_DIR / "hand_landmark_lite_float.tflite").read_bytes())


def scene(seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    hand = handrender.render(handrender.pose("open_palm", rng, 4.0), handrender.facing("open_palm", rng, 0.5),
                             scale=8.0, wrist=(300.0, 400.0), size=(640, 480), rng=rng)
    background = np.full((480, 640, 3), 90, np.uint8)
    return np.clip(handrender.composite(background, hand), 0, 255).astype(np.uint8), hand.joints


def test_the_float_palm_detector_finds_the_rendered_palm_and_its_crop_gives_the_joints() -> None:
    image, joints = scene()
    square, scale, (pad_x, pad_y) = faces.letterbox(image, hands.PALM_SIZE)
    palms = hands.decode(*PALM((square.astype(np.float32) / 255)[None]))
    assert len(palms) == 1 and palms[0].score > 0.5
    to_picture = lambda p: (np.asarray(p) * hands.PALM_SIZE - (pad_x, pad_y)) / scale  # noqa: E731
    palm_size = handrender.palm_size(joints)
    assert np.linalg.norm(to_picture(palms[0].keypoints)[0] - joints[0]) < 0.3 * palm_size   # the wrist
    rect = hands.palm_rect(palms[0], to_picture)
    points = rect.to_picture(LANDMARKS((rect.crop(image).astype(np.float32) / 255)[None])[0].reshape(21, 3))
    assert np.linalg.norm(points - joints, axis=1).mean() < 0.15 * palm_size
    again = hands.landmarks_rect(np.concatenate([points, np.zeros((21, 1))], axis=1))
    assert abs(again.angle - rect.angle) < 20 and 0.6 < again.side / rect.side < 1.5


def test_hand_scenes_are_the_same_on_every_run_and_keep_their_joints() -> None:
    matte = lambda image: np.ones(image.shape[:2], np.float32)  # noqa: E731
    first = list(handscenes.hand_scenes("held_out", 2, matte))
    second = list(handscenes.hand_scenes("held_out", 2, matte))
    assert all(np.array_equal(a.image, b.image) and a.recipe == b.recipe for a, b in zip(first, second, strict=True))
    assert all(a.hands and a.hands[0][1].shape == (21, 2) for a in first)


def test_palm_metrics_of_a_model_against_itself() -> None:
    image, _ = scene()
    square, _, _ = faces.letterbox(image, hands.PALM_SIZE)
    x = (square.astype(np.float32) / 255)[None]
    result = metrics.palm_detection(PALM, PALM, [x])
    assert result["palms"] == 1 and result["box_iou_mean"] == 1.0 and result["recall"] == 1.0
    assert result["keypoint_error_mean"] == 0.0
    crop = hands.palm_rect(hands.decode(*PALM(x))[0], lambda p: np.asarray(p) * 640 - (0, 80)).crop(image)
    same = metrics.hand_landmarks(LANDMARKS, LANDMARKS, [(crop.astype(np.float32) / 255)[None]])
    assert same["landmark_error_mean"] == 0.0


def test_an_island_sharing_a_constant_with_an_int8_op_gets_its_own_copy() -> None:
    """The palm detector reuses bias tensors across depthwise convolutions; a float stem cuts through them."""
    model = (MODELS_DIR / "palm_detection_lite_float.tflite").read_bytes()
    image, _ = scene()
    square, _, _ = faces.letterbox(image, hands.PALM_SIZE)
    samples = [(square.astype(np.float32) / 255)[None]]
    calibrated, _ = ranges.cap_ranges(ranges.calibrate(model, samples), SPECS["palm_detection_lite"], model, samples)
    stem = g.load(calibrated)
    sub = stem.subgraphs[0]
    keep = [bytes(sub.tensors[int(op.outputs[0])].name).decode() for op in sub.operators[:12]]
    mixed = Runner(islands.quantize(calibrated, keep))   # loads and runs: no float op reads an int32 bias
    regressors, scores = mixed(samples[0])
    assert regressors.shape == (1, 2016, 18) and scores.shape == (1, 2016, 1)
