"""The kiosk booth: a small state machine on pygame's main thread.

States (names, like pibooth's): ``attract`` → [``consent``] → ``countdown`` →
``recording`` → ``review`` (Keep / Retake) → ``saved`` → ``attract``, plus
``failsafe``, which any exception reaches: it shows a short human reason,
logs the full cause, and returns to attract once frames flow again.

Inputs from every device arrive as ``Event``s (see ``events``); hardware
threads and the recorder only post them, and ``step()`` — one main-loop
iteration — is the only code that touches pygame and state. Every choice has a
touch button (``BoothView`` says which button a tap hit) and a key or GPIO
equal: PRESS (space, enter, the record button) takes the main choice, BACK
(esc) the other, NEXT/PREV (arrows, swipes, the next/prev buttons) switch effects.
With ``[booth] gestures`` hands are one more such device (``modes/gestures.py``): an
open palm held 1 s is PRESS on the start screen, thumb up / down PRESS / BACK on
consent and review, a sideways swipe NEXT / PREV; hands are watched only on those screens.
While nobody touches the booth (from start-up, and after ``idle_timeout_s``)
the attract loop shows the next effect every ``attract_cycle_s``.

The booth drives the pipeline every mode shares (``pipeline.builder``): each
step takes the newest frame through perception, the effect and the recorder's
sink, then ``BoothView`` shows it and draws the state's screen over it
(``modes/screens.py``). ``modes/launch.py`` wires it all::

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

from magicbooth.core import incident
from magicbooth.core.config import Config
from magicbooth.core.errors import RecorderError
from magicbooth.core.machine import state_dir
from magicbooth.library.clips import delete_clip
from magicbooth.modes.events import Action, Event, EventQueue, Pointer, bind_buttons, pygame_events
from magicbooth.modes.failsafe import detail, reason_of
from magicbooth.modes.gestures import WANTED, GestureInput
from magicbooth.modes.loop import drive
from magicbooth.modes.playback import ClipPlayer
from magicbooth.modes.ports import RecorderLike, clip_path
from magicbooth.modes.screens import Moment
from magicbooth.modes.view import BoothView, needs_face
from magicbooth.pipeline.display import draw_hud, hud_lines
from magicbooth.pipeline.flow import FramePass, Pipeline
from magicbooth.service.notify import Notifier, WatchdogGate

log = logging.getLogger(__name__)

STATES = ("attract", "consent", "countdown", "recording", "review", "saved", "failsafe")
SAVE_TIMEOUT_S = 30.0
NO_FACE_S = 1.5          # "step closer" once the current effect has had no face for this long
_USER_ACTIONS = {Action.PRESS, Action.BACK, Action.NEXT, Action.PREV, Action.HOLD}


class Booth:
    """The booth's state machine; call ``step()`` from the main loop until it returns False."""

    def __init__(self, config: Config, pipeline: Pipeline, recorder: RecorderLike, screen: pygame.Surface, *,
                 events: EventQueue | None = None, when_kept: Callable[[Path], Any] | None = None,
                 gate: WatchdogGate | None = None, clock: Callable[[], float] = time.monotonic,
                 failures: Path | None = None, view: BoothView | None = None,
                 gestures: GestureInput | None = None) -> None:
        if pipeline.carousel is None:
            raise ValueError("the booth needs a pipeline with an effect carousel (build_pipeline makes one)")
        self._cfg = config.booth
        self._pipeline = pipeline
        self._carousel = pipeline.carousel
        self._recorder = recorder
        self._screen = screen
        self.view = view or BoothView(config, pipeline.carousel, pipeline.watermark)
        self.events = events or EventQueue()
        self.gestures = gestures if gestures is not None else GestureInput(config) if config.booth.gestures else None
        self._pointer = Pointer()
        self._when_kept = when_kept
        self._gate = gate
        self._clock = clock
        self._failures = failures
        self._pace = pygame.time.Clock()
        self._frame_wait = 0.05 if pipeline.live else 0.0
        self._hud = config.display.hud
        recorder.when_saved = lambda saved: self.events.post(Event(Action.SAVED, "recorder", payload=saved))
        recorder.when_failed = lambda error: self.events.post(Event(Action.FAILED, "recorder", payload=error))
        self._state = "attract"
        self._entered = clock()
        self._last_input: float | None = None      # None: nobody has touched the booth since it started
        self._cycled = self._entered
        self._face_seen = self._entered
        self._face_effect = self._carousel.name
        self._work: FramePass | None = None
        self._frames = 0
        self._clip: Path | None = None
        self._saved: list[Path] = []
        self._player: ClipPlayer | None = None
        self._played_from = 0.0
        self._reason = ""
        self._logged = ""
        self._fresh = False
        self.when_state: Callable[[str], None] | None = None

    # -- state, for tests, the HUD and the service status --------------------------------------------------
    @property
    def state(self) -> str:
        return self._state

    @property
    def reason(self) -> str:
        """The failsafe's human sentence as guests read it ("" when none was shown yet)."""
        return self.view.text(f"failsafe.{self._reason}") if self._reason else ""

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

    @property
    def is_idle(self) -> bool:
        """Whether the attract loop is running (nobody has used the booth for a while, or ever)."""
        return self._idle(self._clock())

    # -- the main loop ------------------------------------------------------------------------------------
    def step(self) -> bool:
        """One iteration: read inputs and a frame, advance the state, draw. False means quit."""
        now = self._clock()
        events = self.events.drain() + pygame_events(self._screen.get_size(), self._pointer)
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
            if self.gestures is not None:   # hands only on the screens that wait for a choice
                shown = self.gestures.follow(self._state, self._work.frame if self._fresh and self._work else None)
                if shown:
                    self._last_input = now
                    events += shown
            nxt = getattr(self, f"_update_{self._state}")(events, now)
            if nxt:
                self._go(nxt, now)
            self._draw(now)
        except Exception as exc:  # the failsafe: any error, human reason on screen, cause in the log
            self._fail(exc, now)
            self._take_saved(keep=True)
            self._draw_failsafe(now)
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
        previous = self._state
        if state not in ("review", "saved") and self._player is not None:
            self._player.close()
            self._player = None
        self._state = state
        self._entered = now
        if self.gestures is not None and state not in WANTED:
            self.gestures.stop()          # the hand tracker never runs on a screen that takes no gesture
        if state == "recording":
            self._recorder.start(0.0, effect=self.effect)   # the sidecar says which effect
            self._carousel.current.restart()                 # timed effects start their timeline with the clip
        elif state == "attract" and previous in ("review", "saved"):
            self._carousel.current.reset()                   # back to the preview look (the time machine cycles)
        if self.when_state is not None:
            self.when_state(state)

    def _since(self, now: float) -> float:
        return now - self._entered

    def _idle(self, now: float) -> bool:
        if self._last_input is None:
            return True
        return bool(self._cfg.idle_timeout_s) and now - self._last_input >= self._cfg.idle_timeout_s

    def _target(self, event: Event) -> str | None:
        """The button a tap hit (as drawn last frame), or None (keys and GPIO have no position)."""
        return self.view.hit(event.pos, self._screen.get_size()) if event.pos is not None else None

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
        """After the loop: keep every clip the recorder finished, and the one under review (no retake came).

        The hand tracker's thread (gestures) ends here too.
        """
        if self.gestures is not None:
            self.gestures.stop()
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
            target = self._target(event)
            if event.action is Action.NEXT or target == "next":
                self._carousel.next()
            elif event.action is Action.PREV or target == "prev":
                self._carousel.previous()
            elif target is not None and target.startswith("effect:"):
                self._carousel.select(target.removeprefix("effect:"))
            elif event.action is Action.PRESS and (event.pos is None or target == "shutter"):
                return "consent" if self._cfg.consent else "countdown"
        if self._idle(now):
            if self._cfg.attract_cycle_s and now - self._cycled >= self._cfg.attract_cycle_s:
                self._carousel.next()              # the attract loop: every effect in turn
                self._cycled = now
            elif not self._cfg.attract_cycle_s:
                self._carousel.home()
        else:
            self._cycled = now
        if self._fresh and self._work is not None:
            self.view.update(self._work, now)     # live thumbnails, only while choosing
        return None

    def _update_consent(self, events: list[Event], now: float) -> str | None:
        for event in events:
            target = self._target(event)
            if (event.action is Action.PRESS and event.pos is None) or target == "agree":
                return "countdown"
            if event.action is Action.BACK or target == "cancel":
                return "attract"
        return "attract" if self._idle(now) else None

    def _update_countdown(self, events: list[Event], now: float) -> str | None:
        if any(e.action is Action.BACK or self._target(e) == "cancel" for e in events):
            return "attract"
        return "recording" if self._since(now) >= self._cfg.countdown_s else None

    def _update_recording(self, events: list[Event], now: float) -> str | None:
        self._clip = None
        if not self._recorder.is_recording:        # the recorder ended it (its own maximum, disk space)
            return "review"
        stop = any((e.action in (Action.PRESS, Action.BACK) and e.pos is None) or self._target(e) == "stop"
                   for e in events)
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
            self._player = ClipPlayer(self._clip)
            self._played_from = now
            if not self._cfg.review:
                self._keep(self._clip)
                return "saved"
            return None
        self._take_saved(keep=True)   # a clip from an earlier failure is never lost
        for event in events:
            target = self._target(event)
            if event.action is Action.BACK or target == "retake":
                self._discard(self._clip)
                self._clip = None
                return "countdown"
            if (event.action is Action.PRESS and event.pos is None) or target == "keep":
                self._keep(self._clip)
                return "saved"
        if now - (self._last_input or now) >= self._cfg.review_timeout_s:
            self._keep(self._clip)
            return "saved"
        return None

    def _update_saved(self, events: list[Event], now: float) -> str | None:
        done = any((e.action is Action.PRESS and e.pos is None) or self._target(e) == "done" for e in events)
        return "attract" if done or self._since(now) >= self._cfg.saved_s else None

    def _update_failsafe(self, events: list[Event], now: float) -> str | None:
        if self._fresh and self._since(now) >= self._cfg.failsafe_s:
            self._logged = ""
            return "attract"
        return None

    def _fail(self, exc: BaseException, now: float) -> None:
        reason, line = reason_of(exc), detail(exc)
        if line != self._logged:   # the full cause, once per episode (a lost camera fails every frame)
            log.error("booth %s: %s (%s)", self._state, self.view.text(f"failsafe.{reason}"), line, exc_info=exc)
            self._logged = line
            if self._failures is not None:
                with contextlib.suppress(OSError):   # for `magicbooth doctor`; never a second failure
                    incident.record(self._failures, state=self._state, reason=reason, exc=exc)
        else:
            log.debug("booth still failing: %s", line)
        self._reason = reason
        if self.gestures is not None:
            with contextlib.suppress(Exception):   # no hands while failing; never a second failure
                self.gestures.follow("failsafe", None)
        if self._recorder.is_recording:
            with contextlib.suppress(Exception):   # the clip so far is kept: its SAVED event is handed on
                self._recorder.stop(0.0)
        if self._state != "failsafe":
            self._go("failsafe", now)

    # -- drawing -------------------------------------------------------------------------------------------
    def _no_face(self, now: float) -> bool:
        """The current effect needs a face and none has been found for a moment ("step closer")."""
        name = self._carousel.name
        if name != self._face_effect or not needs_face(self._carousel, name):
            self._face_effect, self._face_seen = name, now
            return False
        work = self._work
        if work is not None and work.scene is not None and work.scene.faces:
            self._face_seen = now
        return now - self._face_seen > NO_FACE_S

    def _moment(self, now: float) -> Moment:
        state, since = self._state, self._since(now)
        values: dict[str, Any] = {"since": since, "now": now, "gestures": self.gestures is not None}
        cue = self.gestures.cue if self.gestures is not None else None
        if cue is not None:
            values.update(palm=(cue.x, cue.y, cue.radius), palm_progress=cue.progress, palm_pose=cue.pose)
        if state in ("attract", "countdown", "recording"):
            values["no_face"] = self._no_face(now)
        if state == "attract":
            values["idle"] = self._idle(now)
        elif state == "review":
            values["clip_ready"] = self._player is not None
            values["review_left"] = self._cfg.review_timeout_s - (now - (self._last_input or now))
        elif state == "saved":
            values["saved_left"] = 1.0 - since / self._cfg.saved_s
            values["uploading"] = self._when_kept is not None
            if self._cfg.qr_url and self._clip is not None:
                values["qr_url"] = self._cfg.qr_url.replace("{id}", self._clip.stem)
        elif state == "failsafe":
            lost = self._reason == "camera"
            retry = getattr(self._pipeline.source, "retry_in", 0.0) if lost else 0.0
            values.update(reason=self._reason or "other", camera_lost=lost,
                          retry_in=retry if lost else self._cfg.failsafe_s - since)
        return self.view.moment(state, **values)

    def _draw(self, now: float) -> None:
        if self._state == "failsafe":
            self._draw_failsafe(now)
            return
        watermark = self._pipeline.watermark
        if self._state in ("review", "saved") and self._player is not None:
            frame = self._player.frame_at(now - self._played_from)
            self.view.show_clip(self._screen, frame, watermarked=watermark is not None and watermark.is_shown)
        else:
            self.view.show(self._screen, self._work.canvas if self._work is not None else None)
        self.view.draw(self._screen, self._moment(now))
        if self._hud:   # [display] hud: the operator's figures over the booth, the quality level among them
            draw_hud(self._screen, hud_lines(self._pipeline))

    def _draw_failsafe(self, now: float) -> None:
        self.view.show(self._screen, None)
        self.view.draw(self._screen, self._moment(now))


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
                  gate=WatchdogGate(notifier, config.service.frame_stall_s),
                  failures=state_dir(config.device.state_dir))
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
