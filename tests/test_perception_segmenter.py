"""Segmenter: model by aspect, an edge that follows the picture, motion-aware smoothing, person-aware clean-up,
and masks of bad input (no person, many people, a person cut by the frame edge, very dark and very bright)."""

from __future__ import annotations

import itertools

import cv2
import numpy as np
import pytest

from magicbooth.core.config import Config
from magicbooth.perception.cleanup import keep_people
from magicbooth.perception.loading import open_model
from magicbooth.perception.segmenter import MaskOptions, Segmenter, choose_model, letterbox
from tests.perception_helpers import astronaut, rocket
from tools.matting.clips import background
from tools.matting.cutouts import cutout


@pytest.fixture(scope="module")
def model():
    return open_model("landscape", Config())


@pytest.fixture(scope="module")
def opener():
    config = Config()
    models = {kind: open_model(kind, config) for kind in ("landscape", "general")}
    return models.__getitem__


def placed(person: str, height: int, centre: tuple[float, float], back: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A public-domain person cut-out pasted onto ``back``: (image, true alpha)."""
    rgb, alpha = cutout(person)
    s = height / rgb.shape[0]
    m = np.float32([[s, 0, centre[0] - s * rgb.shape[1] / 2], [0, s, centre[1] - s * rgb.shape[0] / 2]])
    size = (back.shape[1], back.shape[0])
    a = cv2.warpAffine(alpha, m, size)[..., None]
    image = cv2.warpAffine(rgb, m, size, borderMode=cv2.BORDER_REPLICATE) * a + back * (1 - a)
    return np.clip(image, 0, 255).astype(np.uint8), a[..., 0]


def soft_share(mask: np.ndarray) -> float:
    return float(((mask > 0.05) & (mask < 0.95)).mean())


def _shaky_clip(count: int = 16) -> list[np.ndarray]:
    """The astronaut at 640×480 with sensor noise and a one-pixel hand shake."""
    rng = np.random.default_rng(3)
    base = cv2.resize(astronaut(), (640, 480))
    frames = []
    for _ in range(count):
        dx, dy = rng.integers(-1, 2, 2)
        moved = np.roll(base, (int(dy), int(dx)), axis=(0, 1)).astype(np.float32)
        frames.append(np.clip(moved + rng.normal(0, 6, moved.shape), 0, 255).astype(np.uint8))
    return frames


def test_mask_at_frame_size(model) -> None:
    image = cv2.resize(astronaut(), (640, 480))
    mask = Segmenter(model).segment(image)
    assert mask.shape == (480, 640) and mask.dtype == np.float32
    assert mask.min() >= 0.0 and mask.max() <= 1.0
    assert 0.3 < mask.mean() < 0.8  # the astronaut fills about half the picture
    assert mask[100, 300] > 0.9 and mask[400, 300] > 0.9  # face and suit
    assert mask[10, 630] < 0.1 and mask[20, 20] < 0.1      # wall and flag
    assert not mask.flags.writeable


def test_model_chosen_by_aspect_and_never_squashed_past_4_3(opener) -> None:
    assert choose_model("auto", (640, 480)) == "landscape"
    assert choose_model("auto", (1280, 720)) == "landscape"
    assert choose_model("auto", (480, 480)) == "general"
    assert choose_model("auto", (480, 640)) == "general"
    assert choose_model("general", (1280, 720)) == "general"
    square = np.zeros((300, 300, 3), np.uint8)
    small, pixels, window = letterbox(square, (256, 144))  # a square on the landscape model: fitted to 4:3, padded
    assert pixels.shape == (144, 256, 3) and small.shape[:2] == (144, 192)
    assert (pixels[:, :32] == 128).all() and window == (slice(0, 144), slice(32, 224))
    small, pixels, _ = letterbox(np.zeros((480, 640, 3), np.uint8), (256, 144))
    assert small.shape == pixels.shape == (144, 256, 3)  # 4:3 into 16:9 is the largest squash allowed
    segmenter = Segmenter(opener)
    segmenter.segment(np.zeros((400, 400, 3), np.uint8))
    assert segmenter.model_name == "selfie_segmentation"
    segmenter.segment(np.zeros((480, 640, 3), np.uint8))
    assert segmenter.model_name == "selfie_segmentation_landscape"


def test_square_photo_finds_the_whole_person(opener) -> None:
    """The issue's case: a square picture through the landscape model lost a person; auto does not."""
    image, truth = placed("grace_hopper", 460, (240, 250), background("gravel")[:480, :480])
    auto = Segmenter(opener).segment(image)
    inter, union = ((auto > 0.5) & (truth > 0.5)).sum(), ((auto > 0.5) | (truth > 0.5)).sum()
    assert inter / union > 0.85


def test_edge_follows_the_picture_and_is_a_few_pixels_wide(model) -> None:
    image, truth = placed("astronaut", 470, (330, 250), background("gravel"))
    plain = Segmenter(model, MaskOptions(refine=False)).segment(image)
    refined = Segmenter(model).segment(image)
    edge = cv2.morphologyEx((truth > 0.5).astype(np.uint8), cv2.MORPH_GRADIENT, np.ones((21, 21), np.uint8)) > 0
    assert np.abs(refined - truth)[edge].mean() < 0.85 * np.abs(plain - truth)[edge].mean()
    assert soft_share(refined) < 0.5 * soft_share(plain)
    assert abs(float(refined.mean()) - float(truth.mean())) < 0.03


def _change(segmenter: Segmenter, frames: list[np.ndarray]) -> float:
    masks = [segmenter.segment(f) for f in frames]
    return float(np.mean([np.abs(b - a).mean() for a, b in itertools.pairwise(masks[2:])]))


def test_still_person_does_not_flicker(model) -> None:
    image, _ = placed("astronaut", 470, (330, 250), background("gravel"))
    rng = np.random.default_rng(4)
    noisy = [np.clip(image + rng.normal(0, 4, image.shape), 0, 255).astype(np.uint8) for _ in range(12)]
    assert _change(Segmenter(model), noisy) < 0.003  # the target, with camera noise
    assert _change(Segmenter(model, MaskOptions(still_frames=0)), noisy) < 0.003  # by smoothing alone too
    shaky = _shaky_clip()  # a hand-held camera: the edge really moves, smoothing still calms it
    assert _change(Segmenter(model), shaky) < _change(Segmenter(model, MaskOptions(smoothing=0.0)), shaky)


def test_a_person_who_moves_away_leaves_no_trace_after_two_frames(model) -> None:
    back = background("gravel")
    clip = [placed("grace_hopper", 400, (x, 260), back) for x in (200, 200, 200, 200, 440, 440)]
    segmenter = Segmenter(model)
    masks = [segmenter.segment(image) for image, _ in clip]
    left = (clip[3][1] > 0.5) & (cv2.dilate(clip[5][1], np.ones((9, 9), np.uint8)) == 0)
    assert left.sum() > 20000
    assert (masks[5][left] < 0.1).mean() > 0.98
    assert masks[4][left].mean() < 0.1  # and already on the first frame after the move


def test_every_n_frames_and_skip_unchanged(model) -> None:
    frames = _shaky_clip(10)
    every = Segmenter(model, MaskOptions(every=3))
    for f in frames:
        every.segment(f)
    assert every.calls == 4
    still = Segmenter(model, MaskOptions(skip_change=3.0))
    for _ in range(5):
        still.segment(frames[0])
    assert still.calls == 1
    still.segment(255 - frames[0])  # a big change runs the model again
    assert still.calls == 2


def test_a_still_picture_keeps_its_mask_and_anything_that_moves_runs_the_model(model) -> None:
    image, _ = placed("astronaut", 470, (330, 250), background("gravel"))
    rng = np.random.default_rng(5)

    def noisy() -> np.ndarray:
        return np.clip(image + rng.normal(0, 4, image.shape), 0, 255).astype(np.uint8)

    segmenter = Segmenter(model, MaskOptions(still_frames=5))
    masks = [segmenter.segment(noisy()) for _ in range(7)]
    assert (segmenter.calls, segmenter.kept) == (2, 5)  # run, kept five times, run again to stay fresh
    assert masks[1] is masks[0]
    hand = noisy()
    hand[300:340, 40:80] = 255 - hand[300:340, 40:80]  # something the size of a hand moves
    segmenter.segment(hand)
    assert segmenter.calls == 3
    darker = (noisy() * 0.9).astype(np.uint8)  # the light changes
    segmenter.segment(darker)
    assert segmenter.calls == 4


def test_clean_up_keeps_people_and_drops_islands() -> None:
    prob = np.zeros((60, 80), np.float32)
    prob[20:60, 30:50] = 0.9      # a body (17 % of the frame)
    prob[25:30, 52:55] = 0.9      # a hand beside it (0.3 %): too small alone
    prob[2:6, 2:6] = 0.9          # a tiny island far away
    prob[5:15, 62:75] = 0.9       # a cup-sized island far away (2.7 %)
    keep = keep_people(prob, 0.5, min_blob=0.002, body=0.05)
    assert keep is not None
    assert keep[40, 40] == 1 and keep[27, 53] == 1          # body and the hand next to it
    assert keep[3, 3] == 0 and keep[10, 68] == 0            # islands away from any person
    face = (63.0, 5.0, 10.0, 10.0)                          # but a detected face there is a person
    keep = keep_people(prob, 0.5, faces=[face], min_blob=0.002, body=0.05)
    assert keep is not None and keep[10, 68] == 1
    cup = np.zeros((60, 80), np.float32)
    cup[20:45, 25:55] = 0.9       # a big round thing on a table (16 %)
    assert keep_people(cup, 0.5, min_blob=0.01, body=0.05) is None          # no detector: size alone, it stays
    dropped = keep_people(cup, 0.5, faces=[], min_blob=0.01, body=0.05)     # a detector looked and saw nobody
    assert dropped is not None and dropped[30, 40] == 0
    cup[45:60, 28:52] = 0.9       # the same region coming up from the bottom is a body seen from behind
    assert keep_people(cup, 0.5, faces=[], min_blob=0.01, body=0.05) is None


def test_a_faintly_seen_person_with_a_face_is_never_dropped() -> None:
    prob = np.zeros((60, 80), np.float32)
    prob[10:50, 10:30] = 0.9
    prob[30:40, 60:66] = 0.35     # the model barely saw a small person; their face was detected
    keep = keep_people(prob, 0.5, faces=[(60.0, 30.0, 6.0, 6.0)], min_blob=0.01, body=0.05)
    assert keep is None or keep[35, 63] == 1


# ---- bad input ---------------------------------------------------------------------------------

def test_no_person_gives_an_empty_mask(model) -> None:
    for image in (background("gravel"), cv2.resize(rocket(), (640, 480))):
        mask = Segmenter(model).segment(image)
        assert mask.mean() < 0.03
        assert (mask > 0.5).mean() < 0.02


def test_many_people_are_all_kept(model) -> None:
    image = background("gravel").copy()
    truths = []
    for person, x in (("astronaut", 90), ("grace_hopper", 250), ("camera", 400), ("grace_hopper", 560)):
        image, a = placed(person, 250, (x, 355), image)
        truths.append(a)
    mask = Segmenter(model).segment(image)
    for truth in truths:
        core = cv2.erode((truth > 0.5).astype(np.uint8), np.ones((15, 15), np.uint8)) > 0
        assert mask[core].mean() > 0.5  # every one of them mostly person (the model is unsure on some)


def test_person_cut_by_the_frame_edge(model) -> None:
    image, truth = placed("grace_hopper", 460, (600, 260), background("motorcycle_left"))  # half outside
    mask = Segmenter(model).segment(image)
    inter, union = ((mask > 0.5) & (truth > 0.5)).sum(), ((mask > 0.5) | (truth > 0.5)).sum()
    assert inter / union > 0.8
    assert mask[:, 630:][truth[:, 630:] > 0.5].mean() > 0.8  # right up to the edge


@pytest.mark.parametrize("light", ["dark", "bright"])
def test_very_dark_and_very_bright_frames(model, light: str) -> None:
    image, truth = placed("astronaut", 470, (330, 250), background("gravel"))
    f = image.astype(np.float32)
    image = (f * 0.12 if light == "dark" else f * 0.25 + 190).astype(np.uint8)
    mask = Segmenter(model).segment(image)
    assert np.isfinite(mask).all() and mask.min() >= 0.0 and mask.max() <= 1.0
    inter, union = ((mask > 0.5) & (truth > 0.5)).sum(), ((mask > 0.5) | (truth > 0.5)).sum()
    assert inter / union > 0.6       # still finds the person
    assert soft_share(mask) < 0.15   # and low contrast does not spread a wide soft band
