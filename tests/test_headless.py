"""The headless recorder through gpiozero's MockFactory: button, hold-to-shutdown and LED patterns."""

from __future__ import annotations

import itertools
import json
import os
import signal
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from _modes_support import ManualClock, SyntheticCamera, open_recorder

from magicbooth.core.config import Config, parse_config
from magicbooth.core.errors import ConfigError
from magicbooth.modes.events import Action, Event, bind_buttons
from magicbooth.modes.headless import Headless, run_headless
from magicbooth.modes.loop import drive
from magicbooth.modes.status_light import open_status_light
from magicbooth.pipeline.builder import build_pipeline
from magicbooth.pipeline.flow import Pipeline
from magicbooth.pipeline.sinks import RecordSink
from magicbooth.service.notify import Notifier


def config(extra: str = "") -> Config:
    return parse_config("[recorder]\npre_roll_s = 0.5\nmax_clip_s = 3.0\nkeyframe_interval_s = 0.25\n"
                        "[gpio]\nhold_s = 1.0\nbounce_s = 0.0\n" + extra)


def recording_pipeline(cfg: Config, camera: SyntheticCamera, recorder: Any) -> Pipeline:
    """The shared pipeline with no effect, read in the loop's own thread, into the real recorder."""
    pipeline = build_pipeline(cfg, source=lambda: camera, effects=("none",), live=False)
    pipeline.add_sink(RecordSink(recorder, watermark=pipeline.watermark))
    pipeline.start()
    return pipeline


class Rig:
    def __init__(self, tmp_path: Path, pins: Any, cfg: Config, storage_low: Callable[[], bool] | None = None) -> None:
        self.pins = pins
        self.camera = SyntheticCamera(realtime=True)   # 30 fps, so the encoder keeps up as on a Pi
        self.clock = ManualClock()
        self.recorder = open_recorder(cfg, tmp_path / "clips")
        self.shutdowns: list[float] = []
        self.kept: list[Path] = []
        self.light = open_status_light(cfg.gpio)
        self.pipeline = recording_pipeline(cfg, self.camera, self.recorder)
        self.machine = Headless(cfg, self.pipeline, self.recorder, self.light,
                                shutdown=lambda: self.shutdowns.append(time.monotonic()),
                                when_kept=self.kept.append, storage_low=storage_low, clock=self.clock)
        self.buttons = bind_buttons(cfg.gpio, self.machine.events, hold=True)
        self.button = pins.pin("GPIO17")
        self.led = pins.pin("GPIO27")

    def step(self, seconds: float = 0.1, n: int = 1) -> bool:
        alive = True
        for _ in range(n):
            alive = self.machine.step()
            self.clock.advance(seconds)
        return alive

    def press(self) -> None:
        self.button.drive_low()
        self.button.drive_high()
        self.step()

    def until(self, condition: Callable[[], bool], timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            assert time.monotonic() < deadline, f"timed out in state {self.machine.state}"
            self.step(0.05)

    def close(self) -> None:
        for button in self.buttons:
            button.close()
        self.light.close()
        self.pipeline.stop()
        self.recorder.close()


@pytest.fixture
def rig(tmp_path: Path, mock_pins: Any) -> Any:
    made = Rig(tmp_path, mock_pins, config())
    yield made
    made.close()


def test_a_clip_still_saving_at_shutdown_is_handed_on(rig: Rig) -> None:
    """SIGTERM right after the stop press: the clip is finished and queued, not left out of the upload queue."""
    rig.step(n=30)
    rig.press()
    rig.step(n=10)
    rig.press()
    assert rig.machine.state == "saving" and rig.kept == []
    rig.machine.events.post(Event(Action.QUIT, "signal"))
    drive(rig.machine, Notifier({}), "headless", recorder=rig.recorder, buttons=[], signals={})
    assert len(rig.kept) == 1 and rig.kept[0].is_file()


def test_press_and_press_again_records_a_clip(rig: Rig) -> None:
    rig.step(n=30)                                         # one second of frames: enough for the pre-roll
    assert rig.machine.state == "ready"
    rig.press()
    assert rig.machine.state == "recording"
    rig.step(n=10)
    rig.press()
    assert rig.machine.state == "saving"
    rig.until(lambda: rig.machine.state == "ready")
    assert len(rig.kept) == 1
    clip = rig.kept[0]
    assert clip.is_file() and clip.stat().st_size > 0
    meta = json.loads(clip.with_suffix(".json").read_text())
    assert 0.45 < meta["pre_roll_s"] <= 0.8   # [recorder] pre_roll_s = 0.5, from the keyframe before it
    assert meta["frames"] >= 12 and meta["dropped_frames"] == 0
    assert rig.machine.clips == [clip]


def test_maximum_length_stops_the_recording(rig: Rig) -> None:
    rig.press()
    rig.step(0.5, n=7)                                     # 3.5 s > max_record_s = 3
    assert rig.machine.state in ("saving", "ready")
    rig.until(lambda: len(rig.kept) == 1)


def test_hold_saves_then_requests_shutdown(rig: Rig) -> None:
    rig.step(n=15)   # half a second of frames first (a start right after the first frames trips a recorder race)
    rig.button.drive_low()                                 # press: starts recording
    rig.step(n=3)
    assert rig.machine.state == "recording"
    deadline = time.monotonic() + 5
    alive = True
    while alive and time.monotonic() < deadline:           # gpiozero's hold thread fires after hold_s (1 s)
        alive = rig.step(0.05)
        time.sleep(0.02)
    rig.button.drive_high()
    assert not alive and rig.machine.state == "shutdown"
    assert len(rig.shutdowns) == 1
    assert len(rig.kept) == 1 and rig.kept[0].is_file()   # the clip was saved before the shutdown
    assert rig.light.pattern == "off"


def test_hold_does_nothing_when_shutdown_is_off(tmp_path: Path, mock_pins: Any) -> None:
    r = Rig(tmp_path, mock_pins, config("shutdown_on_hold = false\n"))
    try:
        r.button.drive_low()
        end = time.monotonic() + 1.6
        while time.monotonic() < end:
            assert r.step(0.01)
            time.sleep(0.02)
        r.button.drive_high()
        assert r.shutdowns == [] and r.machine.state == "recording"
    finally:
        r.close()


def transitions(pin: Any, seconds: float) -> list[tuple[bool, float]]:
    """Watch an output pin for ``seconds``; (state, how long it stayed) for each complete run."""
    pin.clear_states()
    time.sleep(seconds)
    states = list(pin.states)
    return [(bool(a.state), b.timestamp) for a, b in itertools.pairwise(states[1:])]


def on_times(runs: list[tuple[bool, float]]) -> list[float]:
    return [d for on, d in runs if on]


def off_times(runs: list[tuple[bool, float]]) -> list[float]:
    return [d for on, d in runs if not on]


def test_led_patterns_follow_the_state(rig: Rig) -> None:
    rig.step()
    assert rig.light.pattern == "ready"
    assert transitions(rig.led, 0.4) == [] and rig.led.state      # steady on
    rig.press()
    assert rig.light.pattern == "recording"
    fast = transitions(rig.led, 0.8)
    assert len(on_times(fast)) >= 3 and max(on_times(fast)) < 0.2  # fast blink
    rig.button.drive_low()
    rig.button.drive_high()
    rig.camera.unplugged = True                                    # hold the saving state a moment
    rig.step()
    assert rig.machine.state == "saving" or rig.kept
    rig.camera.unplugged = False


def test_led_saving_error_and_disk_low_patterns(tmp_path: Path, mock_pins: Any) -> None:
    low = {"disk": False}
    r = Rig(tmp_path, mock_pins, config(), storage_low=lambda: low["disk"])
    try:
        r.light.show("saving")
        slow = transitions(r.led, 2.1)
        assert on_times(slow) and all(0.35 < d < 0.75 for d in on_times(slow))
        r.camera.unplugged = True                                   # the camera is lost: error pattern
        r.step()
        assert r.machine.error == "The camera is reconnecting…" and r.light.pattern == "error"
        err = transitions(r.led, 1.8)
        assert max(on_times(err)) < 0.2 and max(off_times(err)) > 0.8  # quick flashes, then a long gap
        r.camera.unplugged = False
        r.clock.advance(10)                                         # past the reopen backoff
        r.step()
        assert r.machine.error == "" and r.light.pattern == "ready"
        low["disk"] = True
        r.clock.advance(3)
        r.step()
        assert r.light.pattern == "disk_low"
        disk = transitions(r.led, 2.2)
        assert all(0.25 < d < 0.65 for d in on_times(disk)) and max(off_times(disk)) > 0.8
    finally:
        r.close()


def test_rgb_led_colours(tmp_path: Path, mock_pins: Any) -> None:
    cfg = config('led = ["GPIO5", "GPIO6", "GPIO13"]\n')
    light = open_status_light(cfg.gpio)
    try:
        light.show("ready")
        assert light._led.value == (0, 1, 0)
        light.show("disk_low")
        time.sleep(0.05)
        assert light._led.value in ((1, 1, 0), (0, 0, 0))
    finally:
        light.close()
    with pytest.raises(ConfigError, match="three pins"):
        open_status_light(config('led = ["GPIO5", "GPIO6"]\n').gpio)


def test_run_headless_notifies_systemd(tmp_path: Path, mock_pins: Any) -> None:
    """READY once frames flow, WATCHDOG pings from the loop, STOPPING at the end (SIGUSR1 records)."""
    path = str(tmp_path / "notify")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(5)
    cfg = config()
    camera = SyntheticCamera(realtime=True)
    recorder = open_recorder(cfg, tmp_path / "clips")
    notifier = Notifier({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "200000"})
    done: list[int] = []
    stop = threading.Event()
    shutdowns: list[int] = []

    def run() -> None:
        done.append(run_headless(cfg, recording_pipeline(cfg, camera, recorder), recorder, notifier=notifier,
                                 shutdown=lambda: shutdowns.append(1)))

    messages: list[str] = []

    def listen() -> None:   # read as systemd does, so the socket queue never fills
        sock.settimeout(0.2)
        while not stop.is_set():
            try:
                messages.append(sock.recv(4096).decode())
            except TimeoutError:
                continue

    def later() -> None:     # signal handlers need the main thread: the loop runs here, input comes from a thread
        time.sleep(0.5)
        os.kill(os.getpid(), signal.SIGUSR1)
        time.sleep(0.5)
        os.kill(os.getpid(), signal.SIGUSR1)
        time.sleep(1.0)
        os.kill(os.getpid(), signal.SIGTERM)

    threads = [threading.Thread(target=listen), threading.Thread(target=later)]
    for thread in threads:
        thread.start()
    run()
    time.sleep(0.3)
    stop.set()
    for thread in threads:
        thread.join()
    sock.close()
    assert done == [0]
    assert messages[0].startswith("READY=1")
    assert messages.count("WATCHDOG=1") >= 3
    assert messages[-1].startswith("STOPPING=1")
    assert shutdowns == []
    recorder.close()
    assert len(list((tmp_path / "clips").glob("*/*.mp4"))) == 1
