"""The compositing kit: depth order, light wrap, edge decontamination, grading, grain, shadow, haze."""

from __future__ import annotations

import numpy as np
import pytest

from magicbooth.effects.compositing import (
    Grade,
    Layer,
    Stack,
    add_grain,
    contact_shadow,
    decontaminate,
    harmonize_person,
    haze,
    light_wrap,
    match_art,
    measure,
    noise_sigma,
    paint,
)
from tests.photos import frame

H, W = 120, 160


def flat(rgb: tuple[int, int, int], h: int = H, w: int = W) -> np.ndarray:
    out = np.empty((h, w, 3), np.uint8)
    out[:] = rgb
    return out


def person_mask() -> np.ndarray:
    """A hard-edged 'person': the middle third of the columns."""
    mask = np.zeros((H, W), np.float32)
    mask[:, 60:100] = 1.0
    return mask


def test_layer_hanging_over_the_edge_paints_only_inside() -> None:
    image = flat((0, 0, 0))
    layer = Layer(flat((200, 100, 50), 40, 40), np.ones((40, 40), np.float32), x=-20, y=H - 10)
    paint(image, layer)
    assert (image[H - 10:, :20] == (200, 100, 50)).all()
    assert image[:H - 10].max() == 0 and image[:, 20:].max() == 0
    paint(image, Layer(flat((9, 9, 9), 5, 5), np.ones((5, 5), np.float32), x=W + 3, y=0))  # fully outside
    with pytest.raises(ValueError, match="differ in size"):
        Layer(flat((0, 0, 0), 4, 4), np.ones((5, 5), np.float32))


def test_behind_is_hidden_by_the_person_and_front_is_not() -> None:
    room = flat((40, 40, 40))
    mask = person_mask()
    monster = Layer(flat((0, 200, 0), H, W), np.ones((H, W), np.float32))
    sticker = Layer(flat((200, 0, 0), 10, W), np.ones((10, W), np.float32), y=50)
    out = Stack(room, mask).behind(monster).front(sticker).flatten()
    assert (out[:40, 70] == (40, 40, 40)).all()          # person in front of the monster
    assert (out[:40, 10] == (0, 200, 0)).all()           # monster where no person
    assert (out[50:60, 70] == (200, 0, 0)).all()         # sticker over the person


def test_plain_stack_is_alpha_blending_and_keeps_the_person_exactly() -> None:
    image = frame("astronaut")
    mask = np.zeros(image.shape[:2], np.float32)
    mask[100:400, 200:450] = 1.0
    mask[100:400, 195:200] = 0.5
    back = flat((10, 200, 250), *image.shape[:2])
    out = Stack(image, mask, backdrop=back).flatten()
    assert np.array_equal(out[100:400, 200:450], image[100:400, 200:450])
    assert np.array_equal(out[:100], back[:100])
    assert np.array_equal(Stack(image, mask).flatten(light_wrap=1.0, harmonize=1.0), image)  # nothing changed


def test_light_wrap_lights_the_edge_not_the_middle() -> None:
    person = flat((30, 30, 30), 240, 320)
    person[::2, ::2] = 50                        # fine detail
    mask = np.zeros((240, 320), np.float32)
    mask[:, 80:240] = 1.0
    back = flat((250, 240, 200), 240, 320)
    wrapped = light_wrap(person, back, mask, strength=0.8, radius=0.03)
    assert wrapped[120, 81:83].mean() > 90      # just inside the edge: takes the backdrop's light
    assert wrapped[120, 158:162].mean() < 45    # the middle of the person stays as it was
    detail = wrapped[100, 84].astype(int) - wrapped[101, 84]
    assert (np.abs(detail - 20) <= 4).all()    # the person's own detail stays sharp under the light
    assert np.array_equal(light_wrap(person, back, mask, strength=0.0), person)


def test_light_wrap_with_the_room_kept_adds_only_what_art_adds() -> None:
    room = frame("astronaut")
    mask = np.zeros(room.shape[:2], np.float32)
    mask[:, 300:] = 1.0
    assert np.array_equal(light_wrap(room, room, mask, 1.0, reference=room), room)
    glowing = np.array(room)
    glowing[:, 200:300] = (120, 200, 255)  # a glowing monster right beside the person
    lit = light_wrap(room, glowing, mask, 1.0, reference=room)
    assert lit[:, 300:310].astype(int).sum() > room[:, 300:310].astype(int).sum() * 1.05
    assert np.array_equal(lit[:, 450:], room[:, 450:])


def test_decontaminate_takes_the_wall_colour_out_of_the_edge() -> None:
    hair, wall = np.array([40, 60, 200], np.float32), np.array([240, 140, 20], np.float32)
    alpha = np.zeros((H, W), np.float32)
    alpha[:, 60:100] = 1.0
    alpha[:, 56:60] = np.linspace(0.2, 0.8, 4)          # a soft edge four pixels wide
    image = (alpha[..., None] * hair + (1 - alpha[..., None]) * wall).round().astype(np.uint8)
    clean = decontaminate(image, alpha)
    edge = clean[:, 56:60].reshape(-1, 3).astype(np.float32)
    before = np.abs(image[:, 56:60].reshape(-1, 3) - hair).mean()
    assert np.abs(edge - hair).mean() < 0.25 * before
    assert np.array_equal(clean[:, 60:100], image[:, 60:100]) and np.array_equal(clean[:, :50], image[:, :50])


def test_grade_between_equal_looks_is_identity_and_moves_towards_the_target() -> None:
    image = frame("astronaut")
    look = measure(image)
    assert Grade.between(look, look, 1.0).is_identity
    warm = flat((230, 150, 90), *image.shape[:2])
    graded = harmonize_person(image, np.ones(image.shape[:2], np.float32), warm, strength=1.0)
    before, after = measure(image).cast, measure(graded).cast
    assert after[0] / after[2] > before[0] / before[2] * 1.2   # warmer, as the backdrop
    assert after[0] / after[2] < before[0] / before[2] * 1.6   # but never more than the cast limit
    assert harmonize_person(image, np.ones(image.shape[:2], np.float32), warm, strength=0.0) is image


def test_match_art_takes_the_room_light_but_keeps_its_colours() -> None:
    room = flat((200, 140, 90))  # warm, bright room
    green = flat((40, 160, 40), 50, 50)
    alpha = np.ones((50, 50), np.float32)
    lit = match_art(green, alpha, measure(room), strength=1.0, grain=False)
    r, g, b = lit[25, 25].astype(int)
    assert g > r and g > b                                    # still a green monster
    assert r / max(b, 1) > 40 / 40 * 1.15                      # with the room's warm cast
    grey = flat((128, 128, 128), 50, 50)
    assert np.array_equal(match_art(grey, alpha, measure(grey), strength=1.0, grain=False), grey)


def test_grain_matches_the_room_noise() -> None:
    rng = np.random.default_rng(1)
    noisy = np.clip(128 + rng.normal(0, 6, (240, 320, 3)), 0, 255).astype(np.uint8)
    assert 4.5 < noise_sigma(noisy) < 7.5
    assert noise_sigma(frame("astronaut")) < 4
    room = measure(noisy, noise=True)
    art = match_art(flat((90, 90, 90), 200, 200), np.ones((200, 200), np.float32), room, strength=0.0)
    assert 0.7 * room.noise < noise_sigma(art) < 1.3 * room.noise
    a, b = add_grain(flat((90, 90, 90)), 5.0, 0), add_grain(flat((90, 90, 90)), 5.0, 1)
    assert not np.array_equal(a, b)  # the grain lives from frame to frame


def test_contact_shadow_and_haze() -> None:
    ground = flat((200, 200, 200))
    contact_shadow(ground, (80, 100), (60, 12), strength=0.6)
    assert ground[100, 80].mean() < 100 and (ground[10, 10] == 200).all()
    art = flat((0, 100, 0), 10, 10)
    assert np.array_equal(haze(art, 0.0, (200, 210, 230)), art)
    assert (haze(art, 1.0, (200, 210, 230)) == (200, 210, 230)).all()
    half = haze(art, 0.5, (200, 210, 230))[0, 0]
    assert tuple(half) == (100, 155, 115)


def test_a_room_kept_stack_is_the_two_step_composite_in_one_pass() -> None:
    """Art behind a soft-edged person on the kept room: painting it with alpha·(1 − person) equals laying
    the art on the room and the person over that."""
    rng = np.random.default_rng(3)
    room = rng.integers(0, 255, (H, W, 3), dtype=np.uint8)
    person = np.clip(np.linspace(-1, 2, W, dtype=np.float32)[None, :].repeat(H, 0), 0, 1)
    art = Layer(rng.integers(0, 255, (80, 90, 3), dtype=np.uint8), rng.random((80, 90)).astype(np.float32), 40, 20)
    one_pass = Stack(room, person).behind(art).flatten()
    back = np.array(room)
    paint(back, art)
    two_step = np.round(room * person[..., None] + back * (1 - person[..., None]))
    assert np.abs(one_pass.astype(int) - two_step).max() <= 1
    assert np.array_equal(one_pass[:, :40], room[:, :40]), "away from the art the room is untouched"


def test_haze_follows_an_amount_map() -> None:
    from magicbooth.effects.compositing import mist

    art = flat((0, 100, 0), 50, 20)
    fog = mist(50, 20, 0.5, 0.8)
    out = haze(art, fog, (200, 200, 200))
    assert np.array_equal(out[:25], art[:25]), "no mist above its start"
    assert out[-1, 0, 0] > 150 and out[30, 0, 0] < out[40, 0, 0] < out[-1, 0, 0], "thickening to the foot"


def test_one_blend_for_every_effect() -> None:
    """Effects blend through effects.blending.blend (cv2.blendLinear measured fastest on the Pi's CPU)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "effects"
    for path in root.rglob("*.py"):
        if path.name == "blending.py":
            continue
        text = path.read_text()
        assert "blendLinear" not in text and "def mix(" not in text, f"{path} blends on its own"
