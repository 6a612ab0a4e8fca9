"""The main loop both modes share: step until done, READY once frames flow, tidy up on the way out."""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

from magicbooth.service.notify import Notifier


class Machine(Protocol):
    @property
    def frames(self) -> int: ...

    def step(self) -> bool: ...

    def hand_on_saved(self) -> None:
        """Hand on the clips the recorder finished after the last step (the loop has ended)."""


def drive(machine: Machine, notifier: Notifier, label: str, *, recorder: Any, buttons: Iterable[Any],
          signals: Mapping[signal.Signals, Callable[..., None]]) -> None:
    """Run ``machine.step()`` until it returns False; signal handlers only post events meanwhile."""
    previous = {sig: signal.signal(sig, handler) for sig, handler in signals.items()}
    for sig, earlier in previous.items():
        if getattr(earlier, "fired", False):  # a stop asked for while the mode was starting
            signals[sig](sig, None)
    try:
        while machine.step():
            if not notifier.is_ready and machine.frames:
                notifier.ready(f"{label}: camera delivers frames")
    finally:
        notifier.stopping(f"{label} stopping")
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        for button in buttons:
            button.close()
        if recorder.is_recording:
            recorder.stop(None)
        # A clip still being saved when the loop ended is handed on too (queued for upload), never dropped.
        recorder.close()
        machine.hand_on_saved()
