"""Where everything goes on a booth screen: pure geometry from the screen and picture sizes.

The camera picture is fitted whole (the guest sees exactly what is recorded); around it
the theme's surface fills the bars. The face area (``[booth] face_area``, fractions of
the picture) is kept clear: every control sits in the *dock*, the band below the face
area, or in the picture's corners beside it. Sizes are in units ``u`` of 1/480 of the
screen's short side, so the 7" 800×480 panel gets 1 px per unit and every touch target
is at least 52 px there (48 px is the usual minimum). Landscape puts the effect
thumbnails in one row with the shutter and arrows at the ends; portrait, narrow, puts
the arrows beside the effect's name and stacks the dock in the middle of the space
below the picture.

The ``hint`` slot (one line above the effect name) is also where gesture hints go.

>>> lay = Layout.compute((800, 480), (640, 480))
>>> lay.shutter.height >= 48
True
"""

from __future__ import annotations

from dataclasses import dataclass

import pygame

DEFAULT_FACE_AREA = (0.2, 0.05, 0.8, 0.62)


def _rect(cx: float, cy: float, w: float, h: float) -> pygame.Rect:
    r = pygame.Rect(0, 0, round(w), round(h))
    r.center = (round(cx), round(cy))
    return r


@dataclass(frozen=True)
class Layout:
    """Rects of one screen size and picture size (all in screen pixels)."""

    size: tuple[int, int]
    u: float
    portrait: bool
    margin: int
    picture: pygame.Rect      # the fitted camera picture
    face: pygame.Rect         # kept clear of controls
    dock: pygame.Rect         # the band below the face area
    brand: pygame.Rect        # logo or title
    hint: pygame.Rect         # one line of hint ("tap the circle", "step closer", gesture hints)
    name: pygame.Rect         # the current effect's short name
    shutter: pygame.Rect      # the round shutter / stop button
    prev: pygame.Rect
    next: pygame.Rect
    slots: tuple[tuple[int, pygame.Rect], ...]   # (offset from the current effect, thumbnail rect)
    title: pygame.Rect        # heading of review / consent
    body: pygame.Rect         # paragraph of the consent sheet
    left: pygame.Rect         # two-choice buttons: cancel / retake on the left
    right: pygame.Rect        # agree / keep on the right
    sheet: pygame.Rect        # panel behind title, body and choices
    badge: pygame.Rect        # REC badge (top-right of the picture)
    ring_centre: tuple[int, int]
    ring_radius: int
    cancel: pygame.Rect       # countdown's cancel button
    card: pygame.Rect         # the saved screen's card (QR code)

    @property
    def width(self) -> int:
        return self.size[0]

    @property
    def height(self) -> int:
        return self.size[1]

    def px(self, units: float) -> int:
        """``units`` in pixels (at least 1)."""
        return max(1, round(units * self.u))

    @classmethod
    def compute(cls, size: tuple[int, int], picture: tuple[int, int],
                face_area: tuple[float, float, float, float] = DEFAULT_FACE_AREA) -> Layout:
        w, h = size
        pw, ph = picture if picture[0] > 0 and picture[1] > 0 else size
        u = min(w, h) / 480.0
        portrait = h > w
        m = max(8, round(16 * u))
        scale = min(w / pw, h / ph)
        fw, fh = max(1, int(pw * scale)), max(1, int(ph * scale))
        top = int((h - fh) * 0.3) if portrait else (h - fh) // 2
        pic = pygame.Rect((w - fw) // 2, top, fw, fh)
        x0, y0, x1, y1 = face_area
        x0, x1 = sorted((x0, x1))
        y0, y1 = sorted((y0, y1))
        face = pygame.Rect(pic.x + round(x0 * fw), pic.y + round(y0 * fh),
                           max(1, round((x1 - x0) * fw)), max(1, round((y1 - y0) * fh)))
        dock = pygame.Rect(0, face.bottom, w, max(0, h - face.bottom))
        cx = w / 2

        if portrait:
            shutter_d, thumb_d, gap, arrow = 96 * u, 62 * u, 14 * u, 52 * u
            block = 32 * u + 12 * u + arrow + 16 * u + shutter_d
            block_top = dock.y + max(m, (dock.height - block) / 2)
            block_top = min(block_top, h - m - block)
            hint_cy = block_top + 16 * u
            name_cy = hint_cy + 16 * u + 12 * u + arrow / 2
            row_cy = name_cy + arrow / 2 + 16 * u + shutter_d / 2
            name = _rect(cx, name_cy, 240 * u, 36 * u)
            prev = _rect(cx - 120 * u - 12 * u - arrow / 2, name_cy, arrow, arrow)
            nxt = _rect(cx + 120 * u + 12 * u + arrow / 2, name_cy, arrow, arrow)
            edge = float(w - m)
        else:
            shutter_d, thumb_d, gap, arrow = 84 * u, 56 * u, 14 * u, 52 * u
            row_cy = h - m - shutter_d / 2
            name_cy = row_cy - shutter_d / 2 - 8 * u - 16 * u
            hint_cy = name_cy - 16 * u - 6 * u - 16 * u
            name = _rect(cx, name_cy, 280 * u, 32 * u)
            prev = _rect(m + arrow / 2, row_cy, arrow, arrow)
            nxt = _rect(w - m - arrow / 2, row_cy, arrow, arrow)
            edge = float(nxt.left - gap)
        shutter = _rect(cx, row_cy, shutter_d, shutter_d)
        hint = _rect(cx, hint_cy, w - 2 * m, 32 * u)
        slots: list[tuple[int, pygame.Rect]] = []
        k = 1
        while True:
            x = cx + shutter_d / 2 + gap + thumb_d / 2 + (k - 1) * (thumb_d + gap)
            if x + thumb_d / 2 > edge:
                break
            slots += [(-k, _rect(2 * cx - x, row_cy, thumb_d, thumb_d)), (k, _rect(x, row_cy, thumb_d, thumb_d))]
            k += 1

        # two choices (review, consent) at the bottom, heading and paragraph above them, on one sheet
        button_h = 56 * u
        button_w = min(210 * u, (w - 2 * m - 16 * u) / 2)
        choice_cy = row_cy if portrait else h - m - button_h / 2
        left = _rect(cx - 8 * u - button_w / 2, choice_cy, button_w, button_h)
        right = _rect(cx + 8 * u + button_w / 2, choice_cy, button_w, button_h)
        sheet_w = min(w - 2 * m, 720 * u)
        body = pygame.Rect(0, 0, round(sheet_w - 32 * u), round(44 * u))
        body.midbottom = (round(cx), left.top - round(10 * u))
        title = _rect(cx, body.top - 4 * u - 15 * u, sheet_w - 32 * u, 30 * u)
        sheet = pygame.Rect(0, 0, round(sheet_w), 0)
        sheet.top = title.top - round(10 * u)
        sheet.height = min(h, left.bottom + round(10 * u)) - sheet.top
        sheet.centerx = round(cx)

        # REC badge: top-right (the brand is top-left), above the picture where there is a bar, else beside the face
        badge = pygame.Rect(0, 0, round(150 * u), round(40 * u))
        if pic.top >= badge.height + 2 * m:
            badge.bottomright = (pic.right - m, pic.top - m)
        else:
            badge.topright = (pic.right - m, pic.top + m)
        if portrait:
            radius = round(92 * u)
            ring_centre = shutter.center
            cancel = _rect(cx, ring_centre[1] + radius + 18 * u + 26 * u, 170 * u, 52 * u)
            card_w = min(w - 2 * m, 420 * u)
            card = pygame.Rect(0, dock.y + m, round(card_w), h - dock.y - 2 * m)
            card.centerx = round(cx)
        else:
            radius = round(min(max(40 * u, (dock.height - 2 * m) / 2), 80 * u))
            ring_centre = (round(cx), round(h - m - radius))
            cancel = _rect(cx + radius + 24 * u + 85 * u, ring_centre[1], 170 * u, 52 * u)
            # beside the face area, but never narrower than a QR code a phone reads from arm's length (4 px modules)
            card_left = min(max(face.right + m, w - m - round(340 * u)), w - m - max(168, round(120 * u)))
            card = pygame.Rect(card_left, m, w - m - card_left, h - 2 * m)
        brand_h = 44 * u
        header = pic.y
        if portrait and header >= 80 * u:
            brand = _rect(cx, header / 2, w - 2 * m, min(header - 2 * m, 72 * u))
        else:
            room = max(face.left - 2 * m, 120 * u)
            brand = pygame.Rect(m, m, round(min(room, 220 * u)), round(brand_h))
        return cls(size=(w, h), u=u, portrait=portrait, margin=m, picture=pic, face=face, dock=dock, brand=brand,
                   hint=hint, name=name, shutter=shutter, prev=prev, next=nxt, slots=tuple(slots), title=title,
                   body=body, left=left, right=right, sheet=sheet, badge=badge, ring_centre=ring_centre,
                   ring_radius=radius, cancel=cancel, card=card)
