"""Status LED patterns on a gpiozero ``LED`` or ``RGBLED``.

| pattern   | single LED                          | RGB LED          |
| --------- | ----------------------------------- | ---------------- |
| ready     | steady on                           | steady green     |
| recording | fast blink (0.1 s on / 0.1 s off)   | fast red         |
| saving    | slow blink (0.5 s on / 0.5 s off)   | slow blue        |
| error     | three quick flashes, then 1 s dark  | same, red        |
| disk_low  | two long flashes, then 1 s dark     | same, yellow     |
| off       | dark                                | dark             |

Grouped patterns drive the LED through gpiozero's ``source`` with a 0.1 s tick.

Usage::

    light = open_status_light(config.gpio)     # StatusLight(LED("GPIO27")) with the defaults
    light.show("recording")
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

from magicbooth.core.config import GpioConfig
from magicbooth.core.errors import ConfigError

TICK_S = 0.1
PATTERNS = ("ready", "recording", "saving", "error", "disk_low", "off")
_COLORS = {"ready": (0, 1, 0), "recording": (1, 0, 0), "saving": (0, 0, 1), "error": (1, 0, 0),
           "disk_low": (1, 1, 0), "off": (0, 0, 0)}
_BLINKS = {"recording": (0.1, 0.1), "saving": (0.5, 0.5)}
# On/off per 0.1 s tick, repeated.
_GROUPS = {"error": (1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
           "disk_low": (1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)}


class StatusLight:
    """Shows one named pattern at a time on an LED or RGBLED (or nothing, if ``led`` is None)."""

    def __init__(self, led: Any | None) -> None:
        self._led = led
        self._rgb = led is not None and hasattr(led, "color")
        self._pattern = ""

    @property
    def pattern(self) -> str:
        """The pattern being shown ("" before the first ``show``)."""
        return self._pattern

    def show(self, pattern: str) -> None:
        """Switch to ``pattern`` (no-op if it is already showing)."""
        if pattern not in PATTERNS:
            raise ValueError(f"unknown LED pattern {pattern!r}; expected one of {PATTERNS}")
        if pattern == self._pattern:
            return
        self._pattern = pattern
        led = self._led
        if led is None:
            return
        led.source = None
        led.off()
        color = _COLORS[pattern]
        if pattern == "off":
            return
        if pattern in _BLINKS:
            on, off = _BLINKS[pattern]
            if self._rgb:
                led.blink(on_time=on, off_time=off, on_color=color)
            else:
                led.blink(on_time=on, off_time=off)
        elif pattern in _GROUPS:
            led.source_delay = TICK_S
            led.source = _repeat(_GROUPS[pattern], color if self._rgb else None)
        elif self._rgb:
            led.color = color
        else:
            led.on()

    def close(self) -> None:
        if self._led is not None:
            self._led.source = None
            self._led.close()


def _repeat(ticks: tuple[int, ...], color: tuple[int, int, int] | None) -> Iterator[Any]:
    dark = (0, 0, 0)
    for on in itertools.cycle(ticks):
        yield (color if on else dark) if color else on


def open_status_light(gpio: GpioConfig, *, pin_factory: Any = None) -> StatusLight:
    """The LED (one pin) or RGBLED (three pins) from config, or a light that shows nothing ([])."""
    from gpiozero import LED, RGBLED

    pins = tuple(p for p in gpio.led if p)
    if not pins:
        return StatusLight(None)
    if len(pins) == 1:
        return StatusLight(LED(pins[0], active_high=gpio.led_active_high, pin_factory=pin_factory))
    if len(pins) == 3:
        return StatusLight(RGBLED(*pins, active_high=gpio.led_active_high, pwm=False, pin_factory=pin_factory))
    raise ConfigError(f"[gpio] led = {list(gpio.led)}: expected one pin, three pins [red, green, blue], or []")
