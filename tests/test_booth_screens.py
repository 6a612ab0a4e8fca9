"""Every booth screen at the four display sizes: goldens, the face kept clear, touch targets, contrast, text.

The picture is a drawn stand-in for a guest (flat shapes, so the goldens stay small) and the
carousel holds test effects, so changes to the real effects never move these goldens.
Regenerate after an intended change with ``MAGICBOOTH_UPDATE_GOLDEN=1 pytest tests/test_booth_screens.py``
and look at the PNGs in ``tests/golden/screens`` before committing them.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import cv2
import numpy as np
import pygame
import pytest

from magicbooth.core.config import Config
from magicbooth.core.frames import Frame
from magicbooth.core.scene import Face, Scene
from magicbooth.effects import registry
from magicbooth.effects.base import Effect
from magicbooth.effects.carousel import EffectCarousel
from magicbooth.effects.plain import Plain
from magicbooth.effects.surface import new_canvas, read_rgb, wrap_rgb
from magicbooth.modes.catalogue import Catalogue
from magicbooth.modes.layout import Layout
from magicbooth.modes.theme import AA_CONTRAST, PRESETS, Theme, contrast, worst_contrast
from magicbooth.modes.view import BoothView
from magicbooth.pipeline.flow import FramePass

GOLDEN = Path(__file__).resolve().parent / "golden" / "screens"
SIZES = ((800, 480), (720, 1280), (1280, 720), (1920, 1080))
QR = "https://clips.example.org/v/20250614-153012-a1b2c3"
SHOTS: dict[str, tuple[str, dict[str, object]]] = {
    "attract": ("attract", {}),
    "attract-loop": ("attract", {"idle": True, "now": 0.4}),
    "step-closer": ("attract", {"no_face": True}),
    "consent": ("consent", {}),
    "countdown": ("countdown", {"since": 0.6}),
    "recording": ("recording", {"since": 4.2}),
    "review-saving": ("review", {"now": 0.3}),
    "review": ("review", {"clip_ready": True, "review_left": 17.2}),
    "saved-qr": ("saved", {"qr_url": QR, "saved_left": 0.7}),
    "saved": ("saved", {"uploading": True, "saved_left": 0.7}),
    "failsafe-camera": ("failsafe", {"reason": "camera", "camera_lost": True, "retry_in": 1.7}),
    "failsafe-error": ("failsafe", {"reason": "other", "retry_in": 3.2}),
}
LIVE = [name for name, (state, _) in SHOTS.items() if state != "failsafe"]


class Tint(Effect):
    colour = (0, 0, 0)

    def render(self, canvas: pygame.Surface, scene: Scene, t: float) -> None:
        canvas.fill(self.colour, canvas.get_rect().inflate(-canvas.get_width() // 3, -canvas.get_height() // 3))


class Rose(Tint):
    name, title, colour = "rose", "Rose window", (230, 60, 120)


class Leaf(Tint):
    name, title, colour = "leaf", "Leaf window", (60, 200, 90)


class Sea(Tint):
    name, title, colour, needs = "sea", "Sea window", (40, 90, 220), frozenset({"mask"})


CATALOG = {cls.name: cls for cls in (Plain, Rose, Leaf, Sea)}


def guest(size: tuple[int, int] = (640, 480)) -> np.ndarray:
    """A flat drawing of a guest in front of a wall: head in the face area, shoulders below."""
    w, h = size
    img = np.empty((h, w, 3), np.uint8)
    img[:] = np.linspace(150, 200, h, dtype=np.uint8)[:, None, None] * np.array([1.0, 0.95, 0.85])
    cv2.ellipse(img, (w // 2, h), (int(w * 0.3), int(h * 0.4)), 0, 180, 360, (40, 70, 150), -1)
    cv2.circle(img, (w // 2, int(h * 0.36)), int(h * 0.17), (225, 180, 150), -1)
    cv2.ellipse(img, (w // 2, int(h * 0.28)), (int(h * 0.18), int(h * 0.12)), 0, 180, 360, (70, 45, 30), -1)
    return img


def face_of(size: tuple[int, int] = (640, 480)) -> Face:
    w, h = size
    r = h * 0.17
    return Face((w / 2 - r, h * 0.36 - r, 2 * r, 2 * r), 0.9, {})


def make_view(language: str = "en", **booth: object) -> BoothView:
    config = Config().replace("booth", language=language, **booth)
    carousel = EffectCarousel(tuple(CATALOG), start="rose", catalog=CATALOG)
    view = BoothView(config, carousel, None)
    image = guest()
    frame = Frame(image, 0.0, 0)
    for step in range(12):      # every thumbnail the current scene allows
        work = FramePass(frame=frame, image=image.copy(), scene=Scene(frame, (face_of(),)))
        carousel.current.render(work.canvas, work.scene, 0.0)
        view.update(work, now=10.0 * step)
    return view


@pytest.fixture(scope="module")
def view() -> BoothView:
    return make_view()


def render(view: BoothView, shot: str, size: tuple[int, int], picture: np.ndarray | None = None,
           *, ui: bool = True) -> np.ndarray:
    state, values = SHOTS[shot]
    picture = guest() if picture is None else picture
    screen = new_canvas(size)
    if state == "failsafe":
        view.show(screen, None)
    elif state in ("review", "saved"):
        view.show_clip(screen, picture, watermarked=False)
    else:
        view.show(screen, wrap_rgb(picture))
    if ui:
        view.draw(screen, view.moment(state, **values))
    return read_rgb(screen)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("shot", list(SHOTS))
def test_screen_matches_golden(view: BoothView, shot: str, size: tuple[int, int]) -> None:
    out = render(view, shot, size)
    half = cv2.resize(out, (size[0] // 2, size[1] // 2), interpolation=cv2.INTER_AREA)
    path = GOLDEN / f"{shot}-{size[0]}x{size[1]}.png"
    if os.environ.get("MAGICBOOTH_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(path), half[:, :, ::-1], [cv2.IMWRITE_PNG_COMPRESSION, 9])
    golden = cv2.imread(str(path))
    assert golden is not None, f"missing {path}; create it with MAGICBOOTH_UPDATE_GOLDEN=1"
    diff = np.abs(half.astype(int) - golden[:, :, ::-1]).max(axis=2)
    # A few pixels may move (font rasteriser, pygame versions); a moved button or a missing label may not.
    assert (diff > 48).mean() < 0.004, f"{shot} {size}: {(diff > 48).mean():.2%} of pixels differ"
    assert diff.mean() < 2.0


@pytest.mark.parametrize("picture", [(640, 480), (1280, 720)], ids=["4:3", "16:9"])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_nothing_covers_the_face_area(view: BoothView, size: tuple[int, int], picture: tuple[int, int]) -> None:
    image = guest(picture)
    face = view.layout(size, picture).face
    bare = render(view, "attract", size, image, ui=False)
    for shot in LIVE:
        if shot.startswith("saved") and picture == (1280, 720) and size == (800, 480):
            continue   # the QR card keeps a phone-readable size there and may reach the face area's edge
        out = render(view, shot, size, image)
        inside = np.abs(out.astype(int) - bare)[face.top:face.bottom, face.left:face.right]
        assert inside.max() == 0, f"{shot} draws over the face area at {size}"


@pytest.mark.parametrize("picture", [(640, 480), (1280, 720)], ids=["4:3", "16:9"])
def test_every_choice_is_a_touch_button_of_at_least_48_px_at_800x480(view: BoothView,
                                                                        picture: tuple[int, int]) -> None:
    names: set[str] = set()
    for shot in LIVE:
        render(view, shot, (800, 480), guest(picture))
        targets = view.targets
        for name, rect in targets.items():
            assert min(rect.size) >= 48, f"{shot}: {name} is {rect.size}"
            assert pygame.Rect(0, 0, 800, 480).contains(rect), f"{shot}: {name} leaves the screen"
            others = [r for n, r in targets.items() if n != name]
            assert rect.collidelist(others) == -1, f"{shot}: {name} overlaps another button"
        names |= set(targets)
    assert {"shutter", "prev", "next", "agree", "cancel", "stop", "keep", "retake", "done"} <= names
    assert {f"effect:{n}" for n in CATALOG} - {"effect:rose"} <= names   # every other effect, by its thumbnail


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_portrait_and_landscape_layouts(size: tuple[int, int]) -> None:
    lay = Layout.compute(size, (640, 480))
    assert lay.portrait == (size[1] > size[0])
    screen = pygame.Rect((0, 0), size)
    for rect in (lay.shutter, lay.prev, lay.next, lay.left, lay.right, lay.cancel, lay.card, lay.brand,
                 *(r for _, r in lay.slots)):
        assert screen.contains(rect)
    for rect in (lay.shutter, lay.prev, lay.next, lay.left, lay.right, lay.cancel, lay.hint, lay.name, lay.sheet,
                 *(r for _, r in lay.slots)):
        assert rect.top >= lay.face.bottom                      # in the dock, below the face
    assert not lay.card.colliderect(lay.face)
    assert len(lay.slots) >= 4                                   # at least two effects either side of the shutter


def measured(out: np.ndarray, rect: pygame.Rect) -> float:
    """Contrast of the text in ``rect`` on its background, from the rendered pixels.

    The background is the commonest colour there; the text is the pixel farthest from it in luminance.
    """
    region = out[rect.top:rect.bottom, rect.left:rect.right].reshape(-1, 3)
    colours, counts = np.unique(region, axis=0, return_counts=True)
    background = tuple(int(c) for c in colours[counts.argmax()])
    luma = region @ np.array([0.2126, 0.7152, 0.0722])
    far = region[np.argmax(np.abs(luma - np.dot(background, [0.2126, 0.7152, 0.0722])))]
    return contrast(tuple(int(c) for c in far), background)  # type: ignore[arg-type]


@pytest.mark.parametrize("under", [0, 255], ids=["black picture", "white picture"])
@pytest.mark.parametrize("theme", ["dark", "light"])
def test_text_contrast_is_at_least_4_5_on_any_picture(theme: str, under: int) -> None:
    view = make_view(theme=theme)
    picture = np.full((480, 640, 3), under, np.uint8)
    size = (800, 480)
    lay = view.layout(size, (640, 480))
    probes = {"attract": [lay.hint, lay.name], "review": [lay.left, lay.right, lay.title],
              "recording": [lay.badge.inflate(-lay.badge.width // 3, -lay.badge.height // 4)],
              "consent": [lay.body], "failsafe-error": [pygame.Rect(100, 200, 600, 60)]}
    for shot, rects in probes.items():
        out = render(view, shot, size, picture)
        for rect in rects:
            probe = rect.inflate(-rect.width // 5, -rect.height // 5)
            assert measured(out, probe) >= AA_CONTRAST, f"{theme} {shot} {rect}: {measured(out, probe):.2f}"


def test_theme_colours_keep_contrast_whatever_the_operator_picks() -> None:
    for theme in PRESETS.values():
        for what, fg, bg, alpha in theme.pairs():
            assert worst_contrast(fg, bg, alpha) >= AA_CONTRAST, f"{theme.name}: {what}"
    rng = np.random.default_rng(7)
    for _ in range(200):
        accent, surface, text = (f"#{int(x):06x}" for x in rng.integers(0, 0xFFFFFF, 3))
        booth = Config().replace("booth", accent=accent, surface=surface, text=text).booth
        theme = Theme.from_config(booth)
        assert contrast(theme.on_accent, theme.accent) >= 4.5 or theme.on_accent in ((0, 0, 0), (255, 255, 255))
        assert worst_contrast(theme.text, theme.surface, theme.panel_alpha) >= AA_CONTRAST or theme.text in (
            (0, 0, 0), (255, 255, 255))


def test_the_catalogues_match_and_name_every_effect() -> None:
    en, de = Catalogue.load("en"), Catalogue.load("de")
    assert en.keys == de.keys
    fields = lambda text: set(re.findall(r"\{(\w+)\}", text))  # noqa: E731
    for key in en.keys:
        assert fields(en(key)) == fields(de(key)), key
    for name, cls in registry.available().items():
        for text in (en, de):
            short = text.effect_name(name, cls.title)
            assert short != cls.title and len(short) <= 12, f"{text.language}: {name} has no short name"


def test_every_word_on_screen_comes_from_the_catalogue(spoken: list[str]) -> None:
    view = make_view("de")
    for size in ((800, 480), (720, 1280)):
        for shot in SHOTS:
            render(view, shot, size)
    german = Catalogue.load("de")
    english = Catalogue.load("en")
    norm = lambda s: re.sub(r"\{\w+\}|\d+(:\d+)?", "#", s).rstrip("…")  # noqa: E731
    templates = [norm(t) for t in german.templates]
    titles = {cls.title for cls in CATALOG.values()}   # test effects have no short names: shown by title
    for line in spoken:
        if re.fullmatch(r"\d+", line) or line in titles or line in {t[0] for t in titles}:
            continue   # the countdown's digits, the test effects' titles and their symbols' initials
        assert any(norm(line) in t for t in templates), f"not from the German catalogue: {line!r}"
    said = " ".join(spoken)
    for key in english.keys:
        if english(key) != german(key) and len(english(key)) > 6 and "{" not in english(key):
            assert english(key) not in said, f"English text on a German screen: {english(key)!r}"


def test_thumbnails_show_each_effect_live(view: BoothView) -> None:
    thumbs = view.thumbnails
    assert thumbs is not None
    for name, colour in (("rose", Rose.colour), ("leaf", Leaf.colour)):
        square = thumbs.square(name)
        assert square is not None
        middle = square[60:100, 60:100].reshape(-1, 3).mean(axis=0)
        assert np.abs(middle - colour).max() < 12, name        # each effect's own look on the picture
    assert thumbs.square("sea") is None        # it needs a mask, which the current effect's scene lacks


def test_a_failing_thumbnail_becomes_a_symbol(caplog: pytest.LogCaptureFixture) -> None:
    class Bad(Tint):
        name, title = "bad", "Bad"

        def render(self, canvas: pygame.Surface, scene: Scene, t: float) -> None:
            raise RuntimeError("thumbnail bug")

    catalog = {"none": Plain, "bad": Bad}
    carousel = EffectCarousel(tuple(catalog), catalog=catalog)
    view = BoothView(Config(), carousel, None)
    image = guest()
    frame = Frame(image, 0.0, 0)
    for step in range(3):
        view.update(FramePass(frame=frame, image=image.copy(), scene=Scene(frame)), now=10.0 * step)
    assert view.thumbnails is not None and view.thumbnails.square("bad") is None
    assert "thumbnail bug" in caplog.text
    render(view, "attract", (800, 480))        # the booth goes on, with the effect's symbol


def test_logo_title_and_hint_from_the_config(tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                             spoken: list[str]) -> None:
    logo = pygame.Surface((300, 100))
    logo.fill((12, 200, 180))
    path = tmp_path / "logo.png"
    pygame.image.save(logo, str(path))
    view = make_view(logo=str(path), hint="Smile!")
    out = render(view, "attract", (800, 480))
    brand = view.layout((800, 480), (640, 480)).brand
    teal = np.all(np.abs(out[brand.top:brand.bottom, brand.left:brand.right].astype(int) - (12, 200, 180)) < 6, -1)
    assert teal.mean() > 0.3                                   # the logo, scaled into the brand corner
    assert "Smile!" in spoken                                  # the operator's own hint
    titled = make_view(logo=str(tmp_path / "missing.png"), title="Anna & Tom")
    render(titled, "attract", (800, 480))
    assert "Anna & Tom" in spoken and "missing.png" in caplog.text   # a broken logo never stops the booth
