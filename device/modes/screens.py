"""The booth's screens, one function per state, drawn over the picture ``BoothView`` has shown.

One visual language: translucent round-cornered panels in the theme's surface colour,
white rings for the shutter and thumbnails, the accent for the primary choice and for
time running out, record red only while recording, Manrope for every word. Controls
sit in the layout's dock below the face area or in the picture's corners, never on the
face. Each screen registers the touch targets it drew (``Ink.targets``), so a tap means
what the guest saw there; text comes from the catalogue only.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pygame

from magicbooth.modes.catalogue import Catalogue
from magicbooth.modes.icons import icon
from magicbooth.modes.layout import Layout
from magicbooth.modes.paint import Paint, blit_centred
from magicbooth.modes.theme import BLACK, WHITE, Theme

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Moment:
    """What a screen shows at one instant (the booth fills it in; the bench and tools make their own)."""

    state: str
    since: float = 0.0             # seconds in this state
    now: float = 0.0               # the booth's clock (animations)
    effect_names: tuple[str, ...] = ()   # the carousel's names, guest-facing, in order
    effect_keys: tuple[str, ...] = ()    # the same effects' names in the registry
    index: int = 0                 # the current effect
    idle: bool = False             # the attract loop is cycling effects
    no_face: bool = False          # the current effect needs a face and none is found
    countdown_s: float = 3.0
    max_record_s: float = 15.0
    clip_ready: bool = False       # review: the clip is saved and playing
    review_left: float = 0.0       # review: seconds until the clip is kept by itself
    saved_left: float = 1.0        # saved: fraction of the screen's time left
    qr_url: str = ""
    uploading: bool = False
    reason: str = "other"          # failsafe: the catalogue key of the human reason
    retry_in: float = 0.0          # failsafe: seconds until the next attempt
    camera_lost: bool = False      # failsafe: the retry is the camera's reconnect
    hint: str = ""                 # attract: the operator's own hint, if configured
    gestures: bool = False         # hand gestures are on: say so in the hints
    palm: tuple[float, float, float] | None = None   # a held hand: centre x, y and size, fractions of the picture
    palm_progress: float = 0.0     # how far the hold is (0..1)
    palm_pose: str = ""            # what is held: open_palm, thumb_up, thumb_down
    consent_text: str = ""         # consent: the operator's own text, if configured


@dataclass
class Ink:
    """What a screen draws with: the screen, its layout, theme, cached parts and text; collects touch targets."""

    screen: pygame.Surface
    lay: Layout
    theme: Theme
    paint: Paint
    text: Catalogue
    thumb: Callable[[str, int], pygame.Surface]
    targets: dict[str, pygame.Rect] = field(default_factory=dict)

    def px(self, units: float) -> int:
        return self.lay.px(units)

    def panel(self, rect: pygame.Rect, radius: float | None = None, alpha: float | None = None) -> None:
        """The translucent surface-coloured panel everything sits on over the picture."""
        r = self.px(18) if radius is None else radius
        a = self.theme.panel_alpha if alpha is None else alpha
        self.screen.blit(self.paint.box(rect.size, r, self.theme.surface, a), rect)

    def pill(self, message: str, center: tuple[int, int], size: float, *, width: int | None = None,
             colour: RGB | None = None, background: RGB | None = None, weight: str = "text",
             icon_name: str = "") -> pygame.Rect:
        """One line of text on a pill-shaped panel, with an optional icon before it."""
        px = self.px(size)
        fg = colour or self.theme.text
        room = (width or self.lay.width - 2 * self.lay.margin) - px * 2
        label = self.paint.fit(message, room - (px + self.px(8) if icon_name else 0), px, fg, weight)
        h = round(px * 1.75)
        glyph = icon(icon_name, round(px * 1.2), fg) if icon_name else None
        inner = label.get_width() + (glyph.get_width() + self.px(8) if glyph else 0)
        rect = pygame.Rect(0, 0, inner + px * 2 - self.px(4), h)
        rect.center = center
        if background is None:
            self.panel(rect, h / 2)
        else:
            self.screen.blit(self.paint.box(rect.size, h / 2, background), rect)
        x = rect.x + (rect.width - inner) // 2
        if glyph is not None:
            self.screen.blit(glyph, glyph.get_rect(midleft=(x, rect.centery)))
            x += glyph.get_width() + self.px(8)
        self.screen.blit(label, label.get_rect(midleft=(x, rect.centery)))
        return rect

    def button(self, name: str, rect: pygame.Rect, message: str, icon_name: str = "", *,
               primary: bool = False) -> None:
        """A touch button: accent-filled for the primary choice, an outlined panel otherwise."""
        t = self.theme
        radius = rect.height / 2
        if primary:
            self.screen.blit(self.paint.box(rect.size, radius, t.accent), rect)
            fg = t.on_accent
        else:
            self.panel(rect, radius)
            self.screen.blit(self.paint.outline(rect.size, radius, self.px(2.5), t.text, 0.85), rect)
            fg = t.text
        px = self.px(22)
        glyph = icon(icon_name, round(px * 1.25), fg) if icon_name else None
        room = rect.width - self.px(24) - (glyph.get_width() + self.px(8) if glyph else 0)
        label = self.paint.fit(message, room, px, fg, "bold")
        inner = label.get_width() + (glyph.get_width() + self.px(8) if glyph else 0)
        x = rect.centerx - inner // 2
        if glyph is not None:
            self.screen.blit(glyph, glyph.get_rect(midleft=(x, rect.centery)))
            x += glyph.get_width() + self.px(8)
        self.screen.blit(label, label.get_rect(midleft=(x, rect.centery)))
        self.targets[name] = rect

    def round_button(self, name: str, rect: pygame.Rect, icon_name: str) -> None:
        """A round icon button on a panel disc (the carousel's arrows)."""
        self.screen.blit(self.paint.disc(rect.width, self.theme.surface, self.theme.panel_alpha), rect)
        glyph = icon(icon_name, round(rect.width * 0.62), self.theme.text)
        self.screen.blit(glyph, glyph.get_rect(center=rect.center))
        self.targets[name] = rect

    def scrim(self) -> None:
        """Darken the dock from nothing at its top to about half at the bottom, so white controls read."""
        dock = self.lay.dock
        if dock.height > 0:
            self.screen.blit(self.paint.fade(dock.size, BLACK, 0.0, 0.55), dock)


# -- the screens ---------------------------------------------------------------------------------------------

def attract(ink: Ink, m: Moment) -> None:
    """The live picture with the effect carousel: thumbnails in a row, the current one in the shutter."""
    lay, t = ink.lay, ink.theme
    ink.scrim()
    if m.no_face:
        ink.pill(ink.text("attract.closer"), lay.hint.center, 18, icon_name="face", colour=t.on_accent,
                 background=t.accent)
    elif m.gestures and not m.hint:
        ink.pill(ink.text("attract.gestures"), lay.hint.center, 18, icon_name="hand")
    else:
        ink.pill(m.hint or ink.text("attract.idle" if m.idle else "attract.hint"), lay.hint.center, 18)
    if m.effect_keys:
        ink.pill(m.effect_names[m.index], lay.name.center, 22, width=lay.name.width, weight="bold")
    _carousel(ink, m)
    if len(m.effect_keys) > 1:
        ink.round_button("prev", lay.prev, "prev")
        ink.round_button("next", lay.next, "next")
    palm_ring(ink, m)


PALM_ICONS = {"open_palm": "hand", "thumb_up": "thumb_up", "thumb_down": "thumb_down"}


def palm_ring(ink: Ink, m: Moment) -> None:
    """A progress ring around the guest's held hand (it fills in a second), so the gesture teaches itself.

    Drawn like the countdown's ring: a translucent disc, a faint track, the accent filling
    clockwise from twelve, the gesture's symbol in the middle. Its size follows the hand,
    within what stays readable and out of the way.
    """
    if m.palm is None:
        return
    lay, t = ink.lay, ink.theme
    pic = lay.picture
    x, y, size = m.palm
    r = round(min(max(size * pic.height * 0.75, ink.px(30)), ink.px(64)))
    centre = (round(pic.x + x * pic.width), round(pic.y + y * pic.height))
    centre = (min(max(centre[0], pic.left + r), pic.right - r), min(max(centre[1], pic.top + r), pic.bottom - r))
    width = max(3, ink.px(7))
    ink.screen.blit(ink.paint.disc(2 * r, t.surface, t.panel_alpha * 0.8), (centre[0] - r, centre[1] - r))
    ink.paint.arc(ink.screen, centre, r - width, width, WHITE, 1.0, alpha=0.3)
    ink.paint.arc(ink.screen, centre, r - width, width, t.accent, m.palm_progress)
    glyph = icon(PALM_ICONS.get(m.palm_pose, "hand"), round(r * 0.95), WHITE)
    ink.screen.blit(glyph, glyph.get_rect(center=centre))


def _carousel(ink: Ink, m: Moment) -> None:
    lay, t = ink.lay, ink.theme
    n = len(m.effect_keys)
    left = (n - 1) // 2
    right = n - 1 - left
    for offset, rect in lay.slots:
        if not -left <= offset <= right:
            continue
        key = m.effect_keys[(m.index + offset) % n]
        ink.screen.blit(ink.thumb(key, rect.width), rect)
        ink.screen.blit(ink.paint.ring(rect.width, ink.px(2.5), WHITE, 0.9), rect)
        ink.targets[f"effect:{key}"] = rect
    shutter = lay.shutter
    ring = ink.px(6)
    if m.effect_keys:
        inner = shutter.width - 2 * (ring + ink.px(5))
        face = ink.thumb(m.effect_keys[m.index], inner)
        ink.screen.blit(face, face.get_rect(center=shutter.center))
    ink.screen.blit(ink.paint.ring(shutter.width, ring, WHITE), shutter)
    if m.idle:   # a slow accent pulse around the shutter while nobody is there: "press me"
        glow = 0.5 + 0.5 * math.sin(m.now * 2 * math.pi / 1.6)
        d = shutter.width + ink.px(14)
        ink.screen.blit(ink.paint.ring(d, ink.px(4), t.accent, round(0.3 + 0.6 * glow, 2)),
                        pygame.Rect(0, 0, d, d).move(shutter.centerx - d // 2, shutter.centery - d // 2))
    ink.targets["shutter"] = shutter


def consent(ink: Ink, m: Moment) -> None:
    """A sheet below the face: what happens to the clip, and two buttons."""
    lay, t = ink.lay, ink.theme
    ink.scrim()
    ink.panel(lay.sheet, ink.px(22))
    title = ink.paint.fit(ink.text("consent.title"), lay.title.width, ink.px(24), t.text, "bold")
    ink.screen.blit(title, title.get_rect(center=lay.title.center))
    body = ink.paint.lines(m.consent_text or ink.text("consent.body"), lay.body.width, lay.body.height,
                           ink.px(18), t.muted)
    blit_centred(ink.screen, body, lay.body.center)
    ink.button("cancel", lay.left, ink.text("consent.cancel"), "close")
    ink.button("agree", lay.right, ink.text("consent.agree"), "check", primary=True)
    if m.gestures:
        _gesture_hint(ink, "consent.gestures")
    palm_ring(ink, m)


def countdown(ink: Ink, m: Moment) -> None:
    """An anti-aliased ring that empties around the seconds left, in the dock, beside a cancel button."""
    lay, t = ink.lay, ink.theme
    remaining = m.countdown_s - m.since
    ink.scrim()
    if remaining <= 0:
        return
    centre, r = lay.ring_centre, lay.ring_radius
    width = max(3, ink.px(9))
    ink.screen.blit(ink.paint.disc(2 * r, t.surface, t.panel_alpha), (centre[0] - r, centre[1] - r))
    ink.paint.arc(ink.screen, centre, r - width, width, WHITE, 1.0, alpha=0.25)
    ink.paint.arc(ink.screen, centre, r - width, width, t.accent, remaining / m.countdown_s if m.countdown_s else 0)
    digit = ink.paint.label(str(math.ceil(remaining)), round(r * 1.15), t.text, "bold")
    ink.screen.blit(digit, digit.get_rect(center=(centre[0], centre[1] - round(r * 0.04))))
    if lay.portrait:
        ink.pill(ink.text("countdown.ready"), lay.hint.center, 20, weight="bold")
    else:
        ready = ink.paint.fit(ink.text("countdown.ready"), lay.cancel.width + ink.px(40), ink.px(24), t.text, "bold")
        where = ready.get_rect(center=(2 * centre[0] - lay.cancel.centerx, centre[1]))
        ink.panel(where.inflate(ink.px(28), ink.px(16)), (where.height + ink.px(16)) / 2)
        ink.screen.blit(ready, where)
    ink.button("cancel", lay.cancel, ink.text("countdown.cancel"), "close")


def recording(ink: Ink, m: Moment) -> None:
    """Red frame, REC badge, and a stop button whose ring fills as the clip nears its end; time left above it."""
    lay, t = ink.lay, ink.theme
    pygame.draw.rect(ink.screen, t.record, lay.picture, max(2, ink.px(5)))
    ink.scrim()
    badge = lay.badge
    dot = ink.px(7) if (m.since % 1.0) < 0.6 else 0
    label = ink.paint.label(ink.text("recording.badge"), ink.px(20), t.on_record, "bold")
    rect = pygame.Rect(0, badge.y, label.get_width() + ink.px(50), ink.px(38))
    rect.right = badge.right
    ink.screen.blit(ink.paint.box(rect.size, rect.height / 2, t.record), rect)
    if dot:
        ink.screen.blit(ink.paint.disc(2 * dot, t.on_record), (rect.x + ink.px(14), rect.centery - dot))
    ink.screen.blit(label, label.get_rect(midleft=(rect.x + ink.px(34), rect.centery)))
    left = max(0.0, m.max_record_s - m.since)
    seconds = math.ceil(left)
    ink.pill(ink.text("recording.left", time=f"{seconds // 60}:{seconds % 60:02d}"), lay.name.center, 22,
             weight="bold")
    ink.pill(ink.text("recording.stop"), lay.hint.center, 18)
    shutter = lay.shutter
    ring = ink.px(7)
    ink.screen.blit(ink.paint.disc(shutter.width, t.surface, t.panel_alpha), shutter)
    ink.paint.arc(ink.screen, shutter.center, shutter.width // 2 - ring // 2 - 1, ring, WHITE, 1.0, alpha=0.35)
    ink.paint.arc(ink.screen, shutter.center, shutter.width // 2 - ring // 2 - 1, ring, t.record,
                  m.since / m.max_record_s if m.max_record_s else 1.0)
    stop = icon("stop", round(shutter.width * 0.5), t.record)
    ink.screen.blit(stop, stop.get_rect(center=shutter.center))
    ink.targets["stop"] = shutter


def review(ink: Ink, m: Moment) -> None:
    """The clip loops in the picture; below the face, Keep or Retake (and when it keeps itself)."""
    lay, t = ink.lay, ink.theme
    ink.scrim()
    if not m.clip_ready:
        spinner = ink.px(26)
        centre = (lay.shutter.centerx, lay.shutter.centery)
        ink.screen.blit(ink.paint.disc(2 * spinner + ink.px(24), t.surface, t.panel_alpha),
                        (centre[0] - spinner - ink.px(12), centre[1] - spinner - ink.px(12)))
        ink.paint.arc(ink.screen, centre, spinner, ink.px(6), WHITE, 1.0, alpha=0.25)
        ink.paint.arc(ink.screen, centre, spinner, ink.px(6), t.accent, 0.3, start=(m.now * 1.2) % 1.0)
        ink.pill(ink.text("review.saving"), lay.name.center, 22, weight="bold")
        return
    ink.panel(lay.sheet, ink.px(22))
    title = ink.paint.fit(ink.text("review.title"), lay.title.width, ink.px(26), t.text, "bold")
    ink.screen.blit(title, title.get_rect(center=lay.title.center))
    auto = ink.paint.fit(ink.text("review.auto", seconds=max(1, math.ceil(m.review_left))), lay.body.width,
                         ink.px(18), t.muted)
    ink.screen.blit(auto, auto.get_rect(center=lay.body.center))
    ink.button("retake", lay.left, ink.text("review.retake"), "retake")
    ink.button("keep", lay.right, ink.text("review.keep"), "check", primary=True)
    if m.gestures:
        _gesture_hint(ink, "review.gestures")
    palm_ring(ink, m)


def _gesture_hint(ink: Ink, key: str) -> None:
    """The two-choice screens' gesture hint, on a pill just above their sheet."""
    lay = ink.lay
    ink.pill(ink.text(key), (lay.sheet.centerx, lay.sheet.top - ink.px(26)), 17, icon_name="thumb_up")


def saved(ink: Ink, m: Moment) -> None:
    """A card beside the face: the QR code and what it is for, or a check mark; Done, and the time left."""
    lay, t = ink.lay, ink.theme
    card = lay.card
    pad = ink.px(14)
    inner_w = card.width - 2 * pad
    parts: list[tuple[pygame.Surface, int]] = []        # (surface, gap after it)
    if m.qr_url:
        for line in ink.paint.lines(ink.text("saved.scan"), inner_w, ink.px(64), ink.px(22), t.text, "bold"):
            parts.append((line, 0))
        parts[-1] = (parts[-1][0], pad)
        side = min(inner_w, ink.px(260), card.height - ink.px(64) - ink.px(56) - 5 * pad)
        code = ink.paint.qr(m.qr_url, side - 2 * ink.px(8), t.on_card, t.card)
        tile = ink.paint.box((code.get_width() + 2 * ink.px(8),) * 2, ink.px(10), t.card).copy()
        tile.blit(code, (ink.px(8), ink.px(8)))
        parts.append((tile, pad))
        parts.append((ink.paint.fit(ink.text("saved.saved"), inner_w, ink.px(18), t.muted), pad))
    else:
        disc = ink.paint.disc(ink.px(72), t.accent).copy()
        glyph = icon("check", ink.px(48), t.on_accent)
        disc.blit(glyph, glyph.get_rect(center=(disc.get_width() // 2, disc.get_height() // 2)))
        parts.append((disc, pad))
        parts.append((ink.paint.fit(ink.text("saved.saved"), inner_w, ink.px(28), t.text, "bold"), ink.px(6)))
        note = ink.text("saved.uploading" if m.uploading else "saved.local")
        for line in ink.paint.lines(note, inner_w, ink.px(48), ink.px(18), t.muted):
            parts.append((line, 0))
        parts[-1] = (parts[-1][0], pad)
    button_h = ink.px(52)
    height = sum(s.get_height() + gap for s, gap in parts) + button_h + ink.px(6)
    panel = pygame.Rect(card.x, 0, card.width, min(card.height, height + 2 * pad))
    panel.centery = card.centery if not lay.portrait else card.y + panel.height // 2 + ink.px(8)
    ink.panel(panel, ink.px(22))
    y = panel.y + pad
    for surface, gap in parts:
        ink.screen.blit(surface, surface.get_rect(midtop=(panel.centerx, y)))
        y += surface.get_height() + gap
    done = pygame.Rect(0, 0, min(inner_w, ink.px(220)), button_h)
    done.midtop = (panel.centerx, y)
    ink.button("done", done, ink.text("saved.done"))
    bar = pygame.Rect(done.x + ink.px(20), done.bottom + ink.px(3), done.width - ink.px(40), max(2, ink.px(3)))
    bar.width = max(0, round(bar.width * min(1.0, max(0.0, m.saved_left))))
    if bar.width:
        pygame.draw.rect(ink.screen, t.accent, bar)


SETUP_RED = (70, 12, 16)
ICON_OF_REASON = {"camera": "camera_off", "storage": "hourglass", "config": "hourglass", "memory": "hourglass",
                  "upload": "hourglass"}


def failsafe(ink: Ink, m: Moment) -> None:
    """A full screen in the theme: an icon, one human sentence, when it tries again. Never the exception."""
    lay, t = ink.lay, ink.theme
    w, h = lay.size
    ink.screen.fill(t.surface)
    symbol = icon(ICON_OF_REASON.get(m.reason, "warning"), ink.px(96), t.accent)
    title = ink.paint.lines(ink.text(f"failsafe.{m.reason}"), round(w * 0.8), ink.px(80), ink.px(30), t.text, "bold")
    seconds = max(1, math.ceil(m.retry_in))
    retry = ink.paint.fit(ink.text("failsafe.retry" if m.camera_lost else "failsafe.back", seconds=seconds),
                          round(w * 0.8), ink.px(20), t.muted)
    parts: Sequence[pygame.Surface] = [symbol, *title, retry]
    blit_centred(ink.screen, parts, (w // 2, round(h * 0.45)), spacing=ink.px(12))
    staff = ink.paint.fit(ink.text("failsafe.staff"), w - 2 * lay.margin, ink.px(16), t.muted)
    ink.screen.blit(staff, staff.get_rect(midbottom=(w // 2, h - lay.margin)))


def setup_error(screen: pygame.Surface, message: str, text: Catalogue | None = None) -> None:
    """The operator's screen for a bad config file: the booth's look, the file's error, how it recovers.

    The config is what failed, so this uses the default theme (on a dark red, so nobody takes it for a
    guest screen) and the reference language.
    """
    from magicbooth.modes.theme import PRESETS

    t = PRESETS["dark"]
    text = text or Catalogue.load()
    w, h = screen.get_size()
    lay = Layout.compute((w, h), (w, h))
    paint = Paint()
    screen.fill(SETUP_RED)
    symbol = icon("warning", lay.px(72), t.accent)
    title = paint.fit(text("setup.title"), round(w * 0.9), lay.px(30), t.text, "bold")
    body = paint.lines(message, round(w * 0.86), round(h * 0.4), lay.px(20), t.muted, smallest=0.6)
    blit_centred(screen, [symbol, title], (w // 2, round(h * 0.22)), spacing=lay.px(10))
    blit_centred(screen, body, (w // 2, round(h * 0.58)), spacing=lay.px(2))
    footer = paint.fit(text("setup.footer"), w - 2 * lay.margin, lay.px(17), t.muted)
    screen.blit(footer, footer.get_rect(midbottom=(w // 2, h - lay.margin)))


DRAW: dict[str, Callable[[Ink, Moment], None]] = {
    "attract": attract, "consent": consent, "countdown": countdown, "recording": recording, "review": review,
    "saved": saved, "failsafe": failsafe,
}
