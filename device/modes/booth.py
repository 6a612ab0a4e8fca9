"""The kiosk booth: a small state machine on pygame's main thread.

States (names, like pibooth's): ``attract`` → [``consent``] → ``countdown`` →
``recording`` → ``review`` (Keep / Retake) → ``saved`` → ``attract``, plus
``failsafe``, which any exception reaches: it shows a short human reason,
logs the full cause, and returns to attract once frames flow again.

Inputs from every device arrive as ``Event``s (see ``events``); hardware
threads and the recorder only post them, and ``step()`` — one main-loop
iteration — is the only code that touches pygame and state.

The booth drives the pipeline every mode shares (``pipeline.builder``): each
step takes the newest frame through perception, the effect and the recorder's
sink, then draws the booth's screen over it. ``modes/launch.py`` wires it all::

    booth = Booth(config, pipeline, recorder, screen, when_kept=queue_clip)
    while booth.step():
        pass
"""

from __future__ import annotations

import contextlib
import logging
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pygame

from magicbooth.core.config import Config
from magicbooth.core.errors import RecorderError
from magicbooth.library.clips import delete_clip
from magicbooth.modes import screens
from magicbooth.modes.events import Action, Event, EventQueue, bind_buttons, pygame_events
from magicbooth.modes.failsafe import detail, human_reason
from magicbooth.modes.loop import drive
from magicbooth.modes.playback import ClipPlayer
from magicbooth.modes.ports import RecorderLike, clip_path
from magicbooth.pipeline.display import letterbox
from magicbooth.pipeline.flow import FramePass, Pipeline
from magicbooth.service.notify import Notifier, WatchdogGate

log = logging.getLogger(__name__)

STATES = ("attract", "consent", "countdown", "recording", "review", "saved", "failsafe")
SAVE_TIMEOUT_S = 30.0
_USER_ACTIONS = {Action.PRESS, Action.BACK, Action.NEXT, Action.PREV, Action.HOLD}


class Booth:
    """The booth's state machine; call ``step()`` from the main loop until it returns False."""

    def __init__(self, config: Config, pipeline: Pipeline, recorder: RecorderLike, screen: pygame.Surface, *,
                 events: EventQueue | None = None, when_kept: Callable[[Path], Any] | None = None,
                 gate: WatchdogGate | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        if pipeline.carousel is None:
            raise ValueError("the booth needs a pipeline with an effect carousel (build_pipeline makes one)")
        self._cfg = config.booth
        self._mirror = config.display.mirror
        self._pipeline = pipeline
        self._carousel = pipeline.carousel
        self._recorder = recorder
        self._screen = screen
        self.events = events or EventQueue()
        self._when_kept = when_kept
        self._gate = gate
        self._clock = clock
        self._pace = pygame.time.Clock()
        self._frame_wait = 0.05 if pipeline.live else 0.0
        recorder.when_saved = lambda saved: self.events.post(Event(Action.SAVED, "recorder", payload=saved))
        recorder.when_failed = lambda error: self.events.post(Event(Action.FAILED, "recorder", payload=error))
        self._state = "attract"
        self._entered = clock()
        self._last_input = self._entered
        self._work: FramePass | None = None
        self._frames = 0
        self._clip: Path | None = None
        self._saved: list[Path] = []
        self._player: ClipPlayer | None = None
        self._reason = ""
        self._detail = ""
        self._logged = ""
        self._fresh = False
        self.when_state: Callable[[str], None] | None = None

    # -- state, for tests, the HUD and the service status --------------------------------------------------
    @property
    def state(self) -> str:
        return self._state

    @property
    def reason(self) -> str:
        """The failsafe's human reason ("" when none was shown yet)."""
        return self._reason

    @property
    def effect(self) -> str:
        return self._carousel.name

    @property
    def frames(self) -> int:
        """Frames read from the feed so far."""
        return self._frames

    @property
    def clip(self) -> Path | None:
        """The clip under review or just saved."""
        return self._clip

    # -- the main loop ------------------------------------------------------------------------------------
    def step(self) -> bool:
        """One iteration: read inputs and a frame, advance the state, draw. False means quit."""
        now = self._clock()
        events = self.events.drain() + pygame_events(self._screen.get_size())
        try:
            for event in events:
                if event.action is Action.QUIT:
                    return False
                if event.action in _USER_ACTIONS:
                    self._last_input = now
                elif event.action is Action.SAVED:
                    self._saved.append(clip_path(event.payload))
                elif event.action is Action.FAILED:
                    raise event.payload
            if self._state != "review":
                self._take_saved(keep=True)
            self._read()
            nxt = getattr(self, f"_update_{self._state}")(events, now)
            if nxt:
                self._go(nxt, now)
            self._draw(now)
        except Exception as exc:  # the failsafe: any error, human reason on screen, cause in the log
            self._fail(exc, now)
            self._take_saved(keep=True)
            self._draw_failsafe()
        pygame.display.flip()
        if self._gate is not None:
            self._gate.tick()
        self._pace.tick(120 if self._fresh else 30)
        return True

    def _read(self) -> None:
        """One frame through the pipeline (perception, effect, the recorder's sink); CameraError while lost."""
        self._fresh = False
        work = self._pipeline.step(self._frame_wait)
        if work is None:
            return
        self._work = work
        self._frames += 1
        self._fresh = True
        if self._gate is not None:
            self._gate.frame_seen()

    def _go(self, state: str, now: float) -> None:
        log.debug("booth: %s -> %s", self._state, state)
        if self._state == "review" and self._player is not None:
            self._player.close()
            self._player = None
        self._state = state
        self._entered = now
        if state == "recording":
            self._recorder.start(0.0, effect=self.effect)   # the sidecar says which effect
            self._carousel.current.restart()                 # timed effects start their timeline with the clip
        if self.when_state is not None:
            self.when_state(state)

    def _since(self, now: float) -> float:
        return now - self._entered

    def _idle(self, now: float) -> bool:
        return bool(self._cfg.idle_timeout_s) and now - self._last_input >= self._cfg.idle_timeout_s

    # -- clips ---------------------------------------------------------------------------------------------
    def _take_saved(self, *, keep: bool) -> Path | None:
        """The newest clip the recorder reported; with ``keep`` every clip is handed on (never lose one)."""
        newest = None
        while self._saved:
            newest = self._saved.pop(0)
            if keep:
                self._keep(newest)
        return newest

    def hand_on_saved(self) -> None:
        """After the loop: keep every clip the recorder finished, and the one under review (no retake came)."""
        for event in self.events.drain():
            if event.action is Action.SAVED:
                self._saved.append(clip_path(event.payload))
        self._take_saved(keep=True)
        if self._state == "review" and self._clip is not None:
            self._keep(self._clip)
            self._clip = None

    def _keep(self, clip: Path) -> None:
        log.info("clip kept: %s", clip)
        if self._when_kept is not None:
            self._when_kept(clip)

    def _discard(self, clip: Path) -> None:
        log.info("clip discarded by the guest (retake): %s", clip)
        delete_clip(clip)

    # -- states: each returns the next state's name, or None to stay -------------------------------------
    def _update_attract(self, events: list[Event], now: float) -> str | None:
        for event in events:
            if event.action is Action.NEXT or (event.action is Action.PRESS and event.zone == "right"):
                self._carousel.next()
            elif event.action is Action.PREV or (event.action is Action.PRESS and event.zone == "left"):
                self._carousel.previous()
            elif event.action is Action.PRESS:
                return "consent" if self._cfg.consent else "countdown"
        if self._idle(now):
            self._carousel.home()
        return None

    def _update_consent(self, events: list[Event], now: float) -> str | None:
        for event in events:
            if event.action is Action.PRESS:
                return "countdown"
            if event.action is Action.BACK:
                return "attract"
        return "attract" if self._idle(now) else None

    def _update_countdown(self, events: list[Event], now: float) -> str | None:
        if any(e.action is Action.BACK for e in events):
            return "attract"
        return "recording" if self._since(now) >= self._cfg.countdown_s else None

    def _update_recording(self, events: list[Event], now: float) -> str | None:
        self._clip = None
        if not self._recorder.is_recording:        # the recorder ended it (its own maximum, disk space)
            return "review"
        stop = any(e.action in (Action.PRESS, Action.BACK) for e in events)
        if stop or self._since(now) >= self._cfg.max_record_s:
            self._recorder.stop(None)
            return "review"
        return None

    def _update_review(self, events: list[Event], now: float) -> str | None:
        if self._clip is None:
            self._clip = self._take_saved(keep=False)
            if self._clip is None:
                if self._since(now) > SAVE_TIMEOUT_S:
                    raise RecorderError(f"the recorder did not finish the clip within {SAVE_TIMEOUT_S:.0f} s")
                return None
            self._entered = now
            self._last_input = now
            if not self._cfg.review:
                self._keep(self._clip)
                return "saved"
            self._player = ClipPlayer(self._clip)
            return None
        self._take_saved(keep=True)   # a clip from an earlier failure is never lost
        for event in events:
            if event.action is Action.BACK or (event.action is Action.PRESS and event.zone == "left"):
                self._discard(self._clip)
                self._clip = None
                return "countdown"
            if event.action is Action.PRESS:
                self._keep(self._clip)
                return "saved"
        if now - self._last_input >= self._cfg.review_timeout_s:
            self._keep(self._clip)
            return "saved"
        return None

    def _update_saved(self, events: list[Event], now: float) -> str | None:
        if any(e.action is Action.PRESS for e in events) or self._since(now) >= self._cfg.saved_s:
            return "attract"
        return None

    def _update_failsafe(self, events: list[Event], now: float) -> str | None:
        if self._fresh and self._since(now) >= self._cfg.failsafe_s:
            self._logged = ""
            return "attract"
        return None

    def _fail(self, exc: BaseException, now: float) -> None:
        reason, line = human_reason(exc), detail(exc)
        if reason != self._logged:   # the full cause, once per episode (a lost camera fails every frame)
            log.error("booth %s: %s (%s)", self._state, reason, line, exc_info=exc)
            self._logged = reason
        else:
            log.debug("booth still failing: %s", line)
        self._reason, self._detail = reason, line
        if self._recorder.is_recording:
            with contextlib.suppress(Exception):   # the clip so far is kept: its SAVED event is handed on
                self._recorder.stop(0.0)
        if self._state != "failsafe":
            self._go("failsafe", now)

    # -- drawing -------------------------------------------------------------------------------------------
    def _draw(self, now: float) -> None:
        screen = self._screen
        w, h = screen.get_size()
        state = self._state
        if state == "failsafe":
            self._draw_failsafe()
            return
        if state == "review" and self._player is not None:
            self._show(screens.surface_of(self._player.frame_at(self._since(now))), mirror=False)
            screens.buttons(screen, "Retake", "Keep")
            return
        self._show_live()
        if state == "attract":
            screens.carousel(screen, self._carousel.titles, self._carousel.index)
            screens.text(screen, self._cfg.hint, (w // 2, h // 8), h // 12)
        elif state == "consent":
            screens.dim(screen)
            screens.wrapped(screen, self._cfg.consent_text, h // 14)
        elif state == "countdown":
            screens.countdown(screen, self._cfg.countdown_s - self._since(now), self._cfg.countdown_s)
        elif state == "recording":
            screens.recording(screen, self._since(now), now)
            screens.progress(screen, self._since(now) / self._cfg.max_record_s)
        elif state == "review":
            screens.dim(screen)
            screens.text(screen, "Saving…", (w // 2, h // 2), h // 10)
        elif state == "saved":
            self._draw_saved()

    def _draw_saved(self) -> None:
        message = "Saved — uploading…" if self._when_kept is not None else "Saved"
        url = self._cfg.qr_url.replace("{id}", self._clip.stem) if self._cfg.qr_url and self._clip else ""
        screens.saved(self._screen, message, url)

    def _draw_failsafe(self) -> None:
        screens.failsafe(self._screen, self._reason, self._detail)

    def _show(self, picture: pygame.Surface | None, *, mirror: bool) -> None:
        screens.show(self._screen, picture, mirror=mirror)

    def _show_live(self) -> None:
        """The newest processed frame, mirrored as configured, with the watermark read the right way round."""
        if self._work is None:
            self._show(None, mirror=False)
            return
        rect = letterbox(self._screen, self._work.canvas, mirror=self._mirror)
        if self._pipeline.watermark is not None:
            self._pipeline.watermark.draw(self._screen.subsurface(rect))


def run_booth(config: Config, pipeline: Pipeline, recorder: RecorderLike, screen: pygame.Surface, *,
              when_kept: Callable[[Path], Any] | None = None, notifier: Notifier | None = None,
              pin_factory: Any = None) -> int:
    """Run the booth until the window closes or SIGTERM; returns the exit status.

    Sends READY once the first frame is on screen (models are loaded by then,
    since the pipeline is built first), pings the watchdog while frames flow and
    sends STOPPING on the way out. GPIO buttons are used when configured and
    available; without them the booth still works by touch and keyboard.
    """
    notifier = notifier or Notifier()
    booth = Booth(config, pipeline, recorder, screen, when_kept=when_kept,
                  gate=WatchdogGate(notifier, config.service.frame_stall_s))
    booth.when_state = lambda state: notifier.status(f"booth: {state}")
    buttons: list[Any] = []
    try:
        buttons = bind_buttons(config.gpio, booth.events, pin_factory=pin_factory)
    except Exception as exc:  # no GPIO on this machine: touch and keyboard still work
        log.warning("GPIO buttons unavailable (%s); using touch and keyboard only", exc)
    quit_ = lambda *_: booth.events.post(Event(Action.QUIT, "signal"))  # noqa: E731
    drive(booth, notifier, "booth", recorder=recorder, buttons=buttons,
          signals={signal.SIGTERM: quit_, signal.SIGINT: quit_})
    return 0
