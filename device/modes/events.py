"""One event stream for touch, mouse, keyboard and GPIO buttons.

Hardware callbacks (gpiozero threads, the recorder's ``when_saved``) only
``post`` into an ``EventQueue``; the main loop drains it together with
pygame's own events, so only the main loop touches pygame and mode state.

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
    NEXT = "next"        # next effect (right / down arrow, right edge tap, next button)
    PREV = "prev"        # previous effect (left / up arrow, left edge tap, prev button)
    HOLD = "hold"        # the record button held for gpio.hold_s
    SAVED = "saved"      # the recorder finished a clip; payload is the clip
    FAILED = "failed"    # a worker failed; payload is the exception
    QUIT = "quit"        # window closed, SIGTERM


@dataclass(frozen=True)
class Event:
    """One input. ``pos`` is the tap position in 0..1 screen coordinates, if any."""

    action: Action
    source: str = ""
    pos: tuple[float, float] | None = None
    payload: Any = None

    @property
    def zone(self) -> str:
        """"left", "right" or "center" third of the screen a tap landed in ("center" without a position)."""
        if self.pos is None:
            return "center"
        x = self.pos[0]
        return "left" if x < 0.2 else "right" if x > 0.8 else "center"


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


def from_pygame(event: Any, screen_size: tuple[int, int]) -> Event | None:
    """Translate one pygame event (main thread only) into an ``Event``, or None to ignore it."""
    import pygame

    if event.type == pygame.QUIT:
        return Event(Action.QUIT, "window")
    if event.type == pygame.KEYDOWN:
        action = _key_map().get(event.key)
        return Event(action, "key") if action else None
    if event.type == pygame.MOUSEBUTTONDOWN and event.button == 1 and not getattr(event, "touch", False):
        w, h = screen_size
        return Event(Action.PRESS, "mouse", (event.pos[0] / max(w, 1), event.pos[1] / max(h, 1)))
    if event.type == pygame.FINGERDOWN:
        return Event(Action.PRESS, "touch", (float(event.x), float(event.y)))
    return None


@functools.cache
def _key_map() -> dict[int, Action]:
    import pygame

    return {pygame.K_SPACE: Action.PRESS, pygame.K_RETURN: Action.PRESS, pygame.K_KP_ENTER: Action.PRESS,
            pygame.K_ESCAPE: Action.BACK, pygame.K_BACKSPACE: Action.BACK,
            pygame.K_RIGHT: Action.NEXT, pygame.K_DOWN: Action.NEXT,
            pygame.K_LEFT: Action.PREV, pygame.K_UP: Action.PREV}


def pygame_events(screen_size: tuple[int, int]) -> list[Event]:
    """Drain pygame's queue (main thread only) and translate what matters."""
    import pygame

    out = []
    for raw in pygame.event.get():
        event = from_pygame(raw, screen_size)
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
