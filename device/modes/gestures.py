"""Hand gestures as the booth's input: watched only while the booth waits for a choice, posted as ``Event``s.

The booth's state machine stays one: a gesture is just another PRESS, BACK, NEXT or PREV
(source ``"gesture"``), exactly as a key or a GPIO button would send. Which gestures count
depends on the screen:

| screen | open palm held 1 s | thumb up | thumb down | swipe |
| --- | --- | --- | --- | --- |
| attract | PRESS (start) | | | NEXT / PREV |
| consent | | PRESS (agree) | BACK (cancel) | |
| review | | PRESS (keep) | BACK (retake) | |

On every other screen (countdown, recording, saved, failsafe) the hand tracker's thread is
stopped, so it costs nothing while a clip records. A swipe is read as the guest sees it on
the mirrored preview: a hand moving to the screen's left means NEXT, like a finger's swipe.

Usage::

    gestures = GestureInput(config)                     # loads the hand models (manifest-checked)
    events += gestures.follow(booth.state, work.frame)  # once per main-loop turn
    cue = gestures.cue                                  # a hold in progress, for the palm ring
    gestures.stop()
"""

from __future__ import annotations

from magicbooth.core.config import Config
from magicbooth.core.frames import Frame
from magicbooth.modes.events import Action, Event
from magicbooth.perception.gestures import Cue, GestureRecognizer
from magicbooth.perception.hands import HandWatcher, SeenHands, open_tracker

WANTED: dict[str, frozenset[str]] = {
    "attract": frozenset({"start", "swipe_left", "swipe_right"}),
    "consent": frozenset({"keep", "retake"}),
    "review": frozenset({"keep", "retake"}),
}
_ACTIONS = {"start": Action.PRESS, "keep": Action.PRESS, "retake": Action.BACK}
SOURCE = "gesture"


class GestureInput:
    """The hand watcher and the recognizer, switched on and off by the booth's state."""

    def __init__(self, config: Config, *, watcher: HandWatcher | None = None,
                 recognizer: GestureRecognizer | None = None) -> None:
        self.mirror = config.display.mirror
        self.watcher = watcher or HandWatcher(open_tracker(config))
        self.recognizer = recognizer or GestureRecognizer()
        self._state = ""
        self._handled = -1
        self.seen: SeenHands | None = None

    @property
    def is_watching(self) -> bool:
        """Whether the hand tracker's thread runs (only on the screens in ``WANTED``)."""
        return self.watcher.is_running

    @property
    def cue(self) -> Cue | None:
        """The hold in progress (pose, progress, where in the picture), or None."""
        return self.recognizer.cue if self.is_watching else None

    def follow(self, state: str, frame: Frame | None) -> list[Event]:
        """Watch hands on ``state``'s screen (``frame``: the newest camera frame, if a new one came); the events."""
        if state != self._state:
            self._state = state
            self.recognizer.reset()
        wanted = WANTED.get(state)
        if wanted is None:
            self.stop()
            return []
        self.recognizer.wanted = wanted
        if not self.watcher.is_running:
            self._handled = -1
            self.watcher.start()
        if frame is not None:
            self.watcher.submit(frame)
        seen = self.watcher.latest
        if seen is None or seen.index <= self._handled:
            return []
        self._handled = seen.index
        self.seen = seen
        fired = self.recognizer.update(seen.t, [hand.points for hand in seen.hands], seen.size)
        return [self._event(gesture) for gesture in fired]

    def stop(self, timeout: float = 2.0) -> None:
        """Stop watching (the thread ends; the next ``follow`` on a choosing screen starts it again)."""
        if self.watcher.is_running:
            self.watcher.stop(timeout)
        self.seen = None

    def _event(self, gesture: str) -> Event:
        if gesture in _ACTIONS:
            return Event(_ACTIONS[gesture], SOURCE)
        leftward_on_screen = (gesture == "swipe_left") != self.mirror
        return Event(Action.NEXT if leftward_on_screen else Action.PREV, f"{SOURCE} swipe")
