"""One event stream for touch, mouse, keyboard and GPIO buttons.

Hardware callbacks (gpiozero threads, the recorder's ``when_saved``) only
``post`` into an ``EventQueue``; the main loop drains it together with
pygame's own events, so only the main loop touches pygame and mode state.
A finger or mouse button that goes down and up in place is a tap (``PRESS``
with its position, which the booth matches against the buttons it drew); one
that slides sideways is a swipe (``NEXT`` when it moves left, as a carousel
follows the finger, ``PREV`` when it moves right).

>>> from gpiozero.pins.mock import MockFactory
>>> events = EventQueue()
>>> buttons = bind_buttons(GpioConfig(button="GPIO17"), events, pin_factory=MockFactory())
>>> buttons[0].pin.drive_low()                     # the guest presses (pulled up: pressed reads low)
>>> [(event.action, event.source) for event in events.drain()]      # in the main loop
[(<Action.PRESS: 'press'>, 'gpio:GPIO17')]
>>> for button in buttons: button.close()
"""

from __future__ import annotations

import enum
import functools
import logging
import queue
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from magicbooth.core.config import GpioConfig

log = logging.getLogger(__name__)


class Action(enum.Enum):
    """What the guest or the machine asked for."""

    PRESS = "press"      # record / select / keep / agree (space, enter, tap, GPIO button)
    BACK = "back"        # cancel / retake (esc, backspace)
    NEXT = "next"        # next effect (right / down arrow, swipe left, next button)
    PREV = "prev"        # previous effect (left / up arrow, swipe right, prev button)
    HOLD = "hold"        # the record button held for gpio.hold_s
    SAVED = "saved"      # the recorder finished a clip; payload is the clip
    FAILED = "failed"    # a worker failed; payload is the exception
    QUIT = "quit"        # window closed, SIGTERM


@dataclass(frozen=True)
class Event:
    """One input. ``pos`` is where a tap landed, in 0..1 screen coordinates (None for keys and buttons)."""

    action: Action
    source: str = ""
    pos: tuple[float, float] | None = None
    payload: Any = None


class EventQueue:
    """Thread-safe mailbox: any thread may ``post``; only the main loop should ``drain``."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[Event] = queue.SimpleQueue()

    def post(self, event: Event) -> None:
        self._queue.put(event)

    def drain(self) -> list[Event]:
        """Every event posted so far, oldest first, without blocking."""
        out = []
        while True:
            try:
                out.append(self._queue.get_nowait())
            except queue.Empty:
                return out


def from_pygame(event: Any, screen_size: tuple[int, int], pointer: Pointer | None = None) -> Event | None:
    """Translate one pygame event (main thread only) into an ``Event``, or None to ignore it.

    Fingers and the mouse go through ``pointer`` (taps and swipes); without one they are ignored.
    """
    import pygame

    if event.type == pygame.QUIT:
        return Event(Action.QUIT, "window")
    if event.type == pygame.KEYDOWN:
        action = _key_map().get(event.key)
        return Event(action, "key") if action else None
    if pointer is None:
        return None
    w, h = max(screen_size[0], 1), max(screen_size[1], 1)
    mouse = event.type in (pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP)
    if mouse and (event.button != 1 or getattr(event, "touch", False)):
        return None   # SDL also reports a touch as a mouse click: that copy is ignored, one tap is one event
    if event.type == pygame.MOUSEBUTTONDOWN:
        pointer.down("mouse", (event.pos[0] / w, event.pos[1] / h))
        return None
    if event.type == pygame.MOUSEBUTTONUP:
        return pointer.up("mouse", (event.pos[0] / w, event.pos[1] / h))
    if event.type == pygame.FINGERDOWN:
        pointer.down(f"touch:{event.finger_id}", (float(event.x), float(event.y)))
        return None
    if event.type == pygame.FINGERUP:
        return pointer.up(f"touch:{event.finger_id}", (float(event.x), float(event.y)))
    return None


class Pointer:
    """Turns press-and-release pairs into taps and swipes (positions in 0..1 of the screen)."""

    SWIPE = 0.06     # a sideways move of this much of the screen width is a swipe, not a tap

    def __init__(self) -> None:
        self._down: dict[str, tuple[float, float]] = {}

    def down(self, who: str, pos: tuple[float, float]) -> None:
        self._down[who] = pos

    def up(self, who: str, pos: tuple[float, float]) -> Event | None:
        start = self._down.pop(who, None)
        if start is None:
            return None
        dx, dy = pos[0] - start[0], pos[1] - start[1]
        source = who.split(":")[0]
        if abs(dx) >= self.SWIPE and abs(dx) > 1.5 * abs(dy):
            return Event(Action.NEXT if dx < 0 else Action.PREV, f"{source} swipe")
        return Event(Action.PRESS, source, start)


@functools.cache
def _key_map() -> dict[int, Action]:
    import pygame

    return {pygame.K_SPACE: Action.PRESS, pygame.K_RETURN: Action.PRESS, pygame.K_KP_ENTER: Action.PRESS,
            pygame.K_ESCAPE: Action.BACK, pygame.K_BACKSPACE: Action.BACK,
            pygame.K_RIGHT: Action.NEXT, pygame.K_DOWN: Action.NEXT,
            pygame.K_LEFT: Action.PREV, pygame.K_UP: Action.PREV}


def pygame_events(screen_size: tuple[int, int], pointer: Pointer | None = None) -> list[Event]:
    """Drain pygame's queue (main thread only) and translate what matters (taps and swipes via ``pointer``)."""
    import pygame

    out = []
    for raw in pygame.event.get():
        event = from_pygame(raw, screen_size, pointer)
        if event is not None:
            out.append(event)
    return out


def bind_buttons(gpio: GpioConfig, events: EventQueue, *, pin_factory: Any = None,
                 hold: bool = False) -> list[Any]:
    """Create the configured gpiozero Buttons; their callbacks only post events.

    ``hold=True`` also posts ``HOLD`` when the record button is held ``gpio.hold_s``.
    Returns the buttons (keep them referenced; ``close()`` them at exit).
    """
    from gpiozero import Button

    bounce = gpio.bounce_s or None
    made: list[Any] = []
    wanted: Iterable[tuple[str, Action]] = ((gpio.button, Action.PRESS), (gpio.next_button, Action.NEXT),
                                            (gpio.prev_button, Action.PREV))
    try:
        for pin, action in wanted:
            if not pin:
                continue
            button = Button(pin, pull_up=gpio.pull_up, bounce_time=bounce, hold_time=gpio.hold_s,
                            pin_factory=pin_factory)
            button.when_pressed = _poster(events, action, pin)
            if hold and action is Action.PRESS:
                button.when_held = _poster(events, Action.HOLD, pin)
            made.append(button)
    except Exception:
        for button in made:
            button.close()
        raise
    return made


def _poster(events: EventQueue, action: Action, pin: str) -> Any:
    def post() -> None:
        events.post(Event(action, f"gpio:{pin}"))
    return post
