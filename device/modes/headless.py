"""The headless recorder: one button, one status LED, no display.

Press: start recording, with ``[recorder] pre_roll_s`` of pre-roll. Press
again, or reach ``[recorder] max_clip_s``: stop. Hold ``[gpio] hold_s``: stop any
recording, wait for it to be saved, then run the shutdown action (configurable,
can be off). A hold begins as a press, so the seconds it recorded are kept too.
``SIGUSR1`` toggles recording like a press, for machines without a button.

The LED shows ``ready`` / ``recording`` / ``saving`` (also while the newest clip
uploads) / ``disk_low`` / ``error`` (see ``status_light``).

The frames come through the same pipeline as the booth's (``pipeline.builder``),
with ``[headless] effect`` (or none) and the recorder's sink; ``modes/launch.py``
wires it and calls ``run_headless(config, pipeline, recorder, when_kept=...)``.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from magicbooth.core.config import Config
from magicbooth.core.errors import CameraError, ConfigError
from magicbooth.library.clips import UploadState, read_sidecar
from magicbooth.modes.events import Action, Event, EventQueue, bind_buttons
from magicbooth.modes.failsafe import detail, human_reason
from magicbooth.modes.loop import drive
from magicbooth.modes.ports import RecorderLike, clip_path
from magicbooth.modes.status_light import StatusLight, open_status_light
from magicbooth.pipeline.flow import Pipeline
from magicbooth.service.notify import Notifier, WatchdogGate

log = logging.getLogger(__name__)

POLL_S = 2.0          # how often storage and upload state are looked at
SAVE_TIMEOUT_S = 30.0  # a hold waits at most this long for the last clip before shutting down


def command_action(command: Sequence[str]) -> Callable[[], None]:
    """A shutdown action that runs ``command`` (e.g. ``systemctl poweroff``)."""
    def shutdown() -> None:
        log.warning("safe shutdown: running %s", " ".join(command))
        result = subprocess.run(list(command), check=False, capture_output=True, text=True)
        if result.returncode:
            log.error("shutdown command failed (%d): %s", result.returncode, result.stderr.strip())
    return shutdown


class Headless:
    """The headless state machine; call ``step()`` from the main loop until it returns False."""

    def __init__(self, config: Config, pipeline: Pipeline, recorder: RecorderLike, light: StatusLight, *,
                 events: EventQueue | None = None, shutdown: Callable[[], None] | None = None,
                 when_kept: Callable[[Path], Any] | None = None,
                 storage_low: Callable[[], bool] | None = None, gate: WatchdogGate | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._max_s = config.recorder.max_clip_s
        self._shutdown_enabled = config.gpio.shutdown_on_hold
        self._pipeline = pipeline
        self._frame_wait = 0.05 if pipeline.live else 0.0
        self._recorder = recorder
        self._light = light
        self.events = events or EventQueue()
        self._shutdown = shutdown
        self._when_kept = when_kept
        self._storage_low = storage_low
        self._gate = gate
        self._clock = clock
        recorder.when_saved = lambda saved: self.events.post(Event(Action.SAVED, "recorder", payload=saved))
        recorder.when_failed = lambda error: self.events.post(Event(Action.FAILED, "recorder", payload=error))
        self._state = "ready"
        self._started = 0.0
        self._stopped_at = 0.0
        self._error = ""
        self._error_cause: BaseException | None = None
        self._logged: tuple[type, str] | None = None
        self._frames = 0
        self._clips: list[Path] = []
        self._shutdown_pending = False
        self._disk_low = False
        self._uploading = False
        self._next_poll = 0.0
        self._light.show("ready")

    @property
    def state(self) -> str:
        """ready | recording | saving | error | shutdown."""
        return self._state

    @property
    def error(self) -> str:
        """The current error's human reason ("" when there is none)."""
        return self._error

    @property
    def frames(self) -> int:
        return self._frames

    @property
    def clips(self) -> list[Path]:
        """Clips saved during this run, oldest first."""
        return list(self._clips)

    def step(self) -> bool:
        """One iteration: inputs, a frame, timers, LED. False once a shutdown was carried out or on QUIT."""
        now = self._clock()
        for event in self.events.drain():
            if event.action is Action.QUIT:
                return False
            self._handle(event, now)
        fresh = self._read()
        if self._state == "recording" and not self._recorder.is_recording:
            self._state, self._stopped_at = "saving", now   # the recorder ended it: its maximum, disk space
        elif self._state == "recording" and now - self._started >= self._max_s:
            log.info("maximum length reached (%.0f s)", self._max_s)
            self._stop(now)
        if self._shutdown_pending and self._state != "saving" and not self._recorder.is_recording:
            return self._do_shutdown()
        if self._state == "saving" and now - self._stopped_at > SAVE_TIMEOUT_S:
            self._fail(RuntimeError(f"the recorder did not finish the clip within {SAVE_TIMEOUT_S:.0f} s"))
            self._state = "ready"
            if self._shutdown_pending:
                return self._do_shutdown()
        if now >= self._next_poll:
            self._poll()
            self._next_poll = now + POLL_S
        self._light.show(self._pattern())
        if self._gate is not None:
            self._gate.tick()
        if not fresh and not self._pipeline.live:
            time.sleep(0.05)   # the camera is away: do not spin (live, the frame wait already paced us)
        return True

    def hand_on_saved(self) -> None:
        """After the loop: hand on the clips the recorder finished since the last step."""
        for event in self.events.drain():
            if event.action is Action.SAVED:
                self._handle(event, self._clock())

    def _handle(self, event: Event, now: float) -> None:
        if event.action is Action.SAVED:
            clip = clip_path(event.payload)
            self._clips.append(clip)
            log.info("clip saved: %s", clip)
            if self._when_kept is not None:
                self._when_kept(clip)
            if self._state == "saving":
                self._state = "ready"
        elif event.action is Action.FAILED:
            self._fail(event.payload)
            if self._state == "saving":
                self._state = "ready"
        elif event.action is Action.PRESS:
            if self._state == "recording":
                self._stop(now)
            elif self._state == "saving":
                log.info("button ignored: the last clip is still being saved")
            elif not self._shutdown_pending:
                self._start(now)
        elif event.action is Action.HOLD:
            if not self._shutdown_enabled:
                log.info("button held, but shutdown on hold is off ([gpio] shutdown_on_hold)")
                return
            log.warning("button held: saving and shutting down")
            self._shutdown_pending = True
            if self._state == "recording":
                self._stop(now)

    def _start(self, now: float) -> None:
        try:
            self._recorder.start(None)
            if self._pipeline.carousel is not None:
                self._pipeline.carousel.current.restart()   # timed effects start their timeline with the clip
        except Exception as exc:
            self._fail(exc)
            return
        self._state = "recording"
        self._started = now
        log.info("recording")

    def _stop(self, now: float) -> None:
        self._state = "saving"
        self._stopped_at = now
        try:
            self._recorder.stop(None)
        except Exception as exc:
            self._fail(exc)
            self._state = "ready"

    def _read(self) -> bool:
        """One frame through the pipeline (the effect, if any, and the recorder's sink)."""
        try:
            work = self._pipeline.step(self._frame_wait)
        except CameraError as exc:
            self._fail(exc)
            if self._state == "recording":
                self._stop(self._clock())
            return False
        if work is None:
            return False
        self._frames += 1
        if self._error and isinstance(self._error_cause, CameraError):
            self._clear_error()
        if self._gate is not None:
            self._gate.frame_seen()
        return True

    def _fail(self, exc: BaseException) -> None:
        key = (type(exc), str(exc))
        if key != self._logged:
            log.error("%s (%s)", human_reason(exc), detail(exc), exc_info=exc)
            self._logged = key
        self._error = human_reason(exc)
        self._error_cause = exc

    def _clear_error(self) -> None:
        log.info("recovered from: %s", self._error)
        self._error, self._error_cause, self._logged = "", None, None

    def _poll(self) -> None:
        if self._storage_low is not None:
            low = bool(self._storage_low())
            if low != self._disk_low:
                (log.warning if low else log.info)("free disk space is %s", "low" if low else "back")
            self._disk_low = low
        if self._clips:
            state = read_sidecar(self._clips[-1]).get("upload_state", UploadState.OFF)
            self._uploading = state in (UploadState.QUEUED, UploadState.UPLOADING)

    def _pattern(self) -> str:
        if self._state == "shutdown":
            return "off"
        if self._state == "recording":
            return "recording"
        if self._error:
            return "error"
        if self._state == "saving" or self._uploading:
            return "saving"
        if self._disk_low:
            return "disk_low"
        return "ready"

    def _do_shutdown(self) -> bool:
        self._state = "shutdown"
        self._light.show("off")
        if self._shutdown is not None:
            self._shutdown()
        return False


def run_headless(config: Config, pipeline: Pipeline, recorder: RecorderLike, *, pin_factory: Any = None,
                 shutdown: Callable[[], None] | None = None, when_kept: Callable[[Path], Any] | None = None,
                 storage_low: Callable[[], bool] | None = None, notifier: Notifier | None = None) -> int:
    """Run the headless recorder until SIGTERM or a hold-to-shutdown; returns the exit status.

    ``shutdown`` defaults to running ``[gpio] shutdown_command``. READY is sent
    once frames flow; the watchdog is pinged only while they do.
    """
    notifier = notifier or Notifier()
    events = EventQueue()
    light = _light_or_none(config, pin_factory)
    machine = Headless(config, pipeline, recorder, light, events=events,
                       shutdown=shutdown or command_action(config.gpio.shutdown_command),
                       when_kept=when_kept, storage_low=storage_low,
                       gate=WatchdogGate(notifier, config.service.frame_stall_s))
    buttons: list[Any] = []
    try:
        buttons = bind_buttons(config.gpio, events, pin_factory=pin_factory, hold=True)
    except Exception as exc:
        log.warning("record button unavailable (%s); send SIGUSR1 to start and stop recording", exc)
    quit_, press = (lambda *_: events.post(Event(Action.QUIT, "signal"))), (
        lambda *_: events.post(Event(Action.PRESS, "signal")))
    try:
        drive(machine, notifier, "headless", recorder=recorder, buttons=buttons,
              signals={signal.SIGTERM: quit_, signal.SIGINT: quit_, signal.SIGUSR1: press})
    finally:
        light.close()
    return 0


def _light_or_none(config: Config, pin_factory: Any) -> StatusLight:
    try:
        return open_status_light(config.gpio, pin_factory=pin_factory)
    except ConfigError:
        raise
    except Exception as exc:
        log.warning("status LED unavailable (%s)", exc)
        return StatusLight(None)
