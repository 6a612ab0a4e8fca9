"""The booth's state machine with real pygame (dummy driver), a real encoder and synthetic input."""

from __future__ import annotations

import contextlib
import logging
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import ClassVar

import cv2
import numpy as np
import pygame
import pytest
from _modes_support import ManualClock, SyntheticCamera, open_recorder

from magicbooth.core import incident
from magicbooth.core.config import Config, parse_config
from magicbooth.core.errors import CameraError
from magicbooth.core.scene import Scene
from magicbooth.effects.base import Effect
from magicbooth.effects.plain import Plain
from magicbooth.effects.surface import blit_rgb
from magicbooth.modes.booth import Booth
from magicbooth.modes.events import bind_buttons
from magicbooth.pipeline.builder import build_pipeline
from magicbooth.pipeline.sinks import RecordSink
from magicbooth.service.notify import Notifier, WatchdogGate


def config(**booth: object) -> Config:
    lines = "\n".join(f"{k} = {str(v).lower() if isinstance(v, bool) else repr(v)}" for k, v in booth.items())
    base = "countdown_s = 1\nmax_record_s = 2.0\nidle_timeout_s = 30.0\nsaved_s = 1.0\nfailsafe_s = 1.0\n"
    keep = [line for line in base.splitlines() if line.split(" = ")[0] not in booth]
    text = "[booth]\n" + "\n".join(keep) + "\n" + lines + "\n"
    return parse_config(text)


RIGS: list[Rig] = []


@pytest.fixture(autouse=True)
def close_rigs() -> Iterator[None]:
    yield
    while RIGS:
        rig = RIGS.pop()
        rig.pipeline.stop()
        rig.recorder.close()


class Tint(Effect):
    """A test effect: the frame under a solid colour (so the recorded clip shows which effect ran)."""

    colour = (0, 0, 0)

    def render(self, canvas: pygame.Surface, scene: Scene, t: float) -> None:
        canvas.fill(self.colour)


class Red(Tint):
    name, title, colour = "red", "Red", (255, 0, 0)


class Blue(Tint):
    name, title, colour = "blue", "Blue", (0, 0, 255)


class Broken(Effect):
    """Raises while ``on`` (an effect bug, as the failsafe must survive it)."""

    name, title = "broken", "Broken"
    on = True

    def render(self, canvas: pygame.Surface, scene: Scene, t: float) -> None:
        if Broken.on:
            raise ZeroDivisionError("effect divided by zero")
        blit_rgb(canvas, scene.frame.image)


class Timed(Tint):
    """Counts the booth's timeline calls, as the time machine would use them."""

    name, title, colour = "timed", "Timed", (0, 255, 0)
    calls: ClassVar[list[str]] = []

    def restart(self) -> None:
        Timed.calls.append("restart")

    def reset(self) -> None:
        Timed.calls.append("reset")


CATALOG = {cls.name: cls for cls in (Plain, Red, Blue, Broken, Timed)}


class Rig:
    """A booth on the shared pipeline, fed by a synthetic camera (read in step), the real recorder, a manual clock."""

    def __init__(self, tmp_path: Path, surface: pygame.Surface, cfg: Config, effects: tuple[str, ...] = ("none",),
                 notifier: Notifier | None = None, failures: Path | None = None) -> None:
        self.camera = SyntheticCamera()
        self.clock = ManualClock()
        self.recorder = open_recorder(cfg, tmp_path / "clips")
        RIGS.append(self)
        self.kept: list[Path] = []
        self.pipeline = build_pipeline(cfg, source=lambda: self.camera, effects=effects, live=False,
                                       catalog=CATALOG)
        self.pipeline.add_sink(RecordSink(self.recorder, watermark=self.pipeline.watermark))
        self.pipeline.start()
        self.gate = WatchdogGate(notifier, 0.5, clock=self.clock, interval_s=0.1) if notifier else None
        self.booth = Booth(cfg, self.pipeline, self.recorder, surface, when_kept=self.kept.append,
                           clock=self.clock, gate=self.gate, failures=failures)

    def step(self, seconds: float = 0.1, n: int = 1) -> None:
        for _ in range(n):
            assert self.booth.step()
            self.clock.advance(seconds)

    def key(self, key: int) -> None:
        pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=key, mod=0, unicode="", scancode=0))
        self.step()

    def tap(self, x: float, y: float = 0.5, *, to: float | None = None) -> None:
        """A mouse press at (x, y) in 0..1 of the screen, released there (or at ``to`` across: a swipe)."""
        w, h = pygame.display.get_surface().get_size()
        end = (int((x if to is None else to) * w), int(y * h))
        pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=(int(x * w), int(y * h)),
                                             touch=False))
        pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, button=1, pos=end, touch=False))
        self.step()

    def tap_on(self, target: str) -> None:
        """Tap the middle of a button the booth drew last frame."""
        w, h = pygame.display.get_surface().get_size()
        rect = self.booth.view.targets[target]
        self.tap(rect.centerx / w, rect.centery / h)

    def until(self, condition: Callable[[], bool], timeout: float = 10.0) -> None:
        """Step (0.05 s of booth time each) until ``condition`` holds, within ``timeout`` real seconds."""
        deadline = time.monotonic() + timeout
        while not condition():
            assert time.monotonic() < deadline, f"timed out in state {self.booth.state}"
            self.step(0.05)


def test_full_session_with_keyboard(tmp_path: Path, screen: pygame.Surface) -> None:
    rig = Rig(tmp_path, screen, config())
    seen: list[str] = []
    rig.booth.when_state = seen.append
    rig.step(n=3)
    assert rig.booth.state == "attract"
    rig.key(pygame.K_SPACE)
    assert rig.booth.state == "countdown"
    rig.step(0.5, n=3)
    assert rig.booth.state == "recording" and rig.recorder.is_recording
    rig.step(0.1, n=10)
    rig.key(pygame.K_SPACE)
    assert rig.booth.state == "review" and not rig.recorder.is_recording
    rig.until(lambda: rig.booth.clip is not None)
    clip = rig.booth.clip
    assert clip is not None and clip.is_file() and clip.with_suffix(".json").is_file()
    rig.step(0.1, n=3)                                    # the clip plays in a loop
    rig.key(pygame.K_SPACE)                                # Keep
    assert rig.booth.state == "saved" and rig.kept == [clip]
    rig.step(0.6, n=3)
    assert rig.booth.state == "attract"
    assert seen == ["countdown", "recording", "review", "saved", "attract"]
    cap = cv2.VideoCapture(str(clip))
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) >= 10
    cap.release()


def test_retake_discards_the_clip_and_counts_down_again(tmp_path: Path, screen: pygame.Surface) -> None:
    rig = Rig(tmp_path, screen, config(countdown_s=0))
    rig.key(pygame.K_RETURN)
    rig.step()
    assert rig.booth.state == "recording"
    rig.step(n=5)
    rig.key(pygame.K_SPACE)
    rig.until(lambda: rig.booth.clip is not None)
    clip = rig.booth.clip
    assert clip is not None and clip.is_file()
    assert {"retake", "keep"} <= set(rig.booth.view.targets)
    rig.tap(0.5, 0.2)                                      # the picture is not a button
    assert rig.booth.state == "review"
    rig.tap_on("retake")
    assert rig.booth.state == "countdown"
    assert not clip.exists() and not clip.with_suffix(".json").exists()
    assert rig.kept == []


def test_timed_effects_start_with_the_clip_and_reset_after_it(tmp_path: Path, screen: pygame.Surface) -> None:
    """The time machine's timeline: restart() as recording starts, reset() back in attract (the preview cycles)."""
    rig = Rig(tmp_path, screen, config(countdown_s=0, review=False, saved_s=0.5), ("timed",))
    rig.step()
    Timed.calls.clear()                                    # (switching in resets it too)
    rig.key(pygame.K_SPACE)
    rig.step()
    assert rig.booth.state == "recording" and Timed.calls == ["restart"]
    rig.step(0.25, n=9)
    rig.until(lambda: rig.booth.state == "attract")
    assert Timed.calls == ["restart", "reset"]


def test_maximum_length_stops_recording(tmp_path: Path, screen: pygame.Surface) -> None:
    rig = Rig(tmp_path, screen, config(countdown_s=0, review=False))
    rig.key(pygame.K_SPACE)
    rig.step()
    assert rig.booth.state == "recording"
    rig.step(0.25, n=9)                                    # 2.25 s > max_record_s = 2
    assert rig.booth.state == "review"
    rig.until(lambda: rig.booth.state == "saved")          # review off: kept as soon as it is saved
    assert len(rig.kept) == 1 and rig.kept[0].is_file()


def test_carousel_by_tap_swipe_and_arrows_and_the_effect_is_recorded(tmp_path: Path, screen: pygame.Surface) -> None:
    rig = Rig(tmp_path, screen, config(countdown_s=0, review=False), ("none", "red", "blue"))
    rig.step()
    rig.tap_on("next")
    assert rig.booth.effect == "red"
    rig.key(pygame.K_RIGHT)
    assert rig.booth.effect == "blue"
    rig.key(pygame.K_LEFT)
    assert rig.booth.effect == "red"
    rig.tap(0.7, 0.3, to=0.4)                              # swipe left: the next effect slides in
    assert rig.booth.effect == "blue"
    rig.tap(0.4, 0.3, to=0.7)                              # swipe right: back
    assert rig.booth.effect == "red"
    rig.tap_on("effect:blue")                              # tap a thumbnail to pick it
    assert rig.booth.effect == "blue"
    rig.tap_on("effect:red")
    assert rig.booth.effect == "red" and rig.booth.state == "attract"
    rig.tap_on("shutter")                                  # the shutter starts
    rig.step(n=6)
    rig.tap_on("stop")
    rig.until(lambda: rig.booth.state == "saved")
    cap = cv2.VideoCapture(str(rig.kept[0]))
    ok, bgr = cap.read()
    cap.release()
    assert ok
    b, g, r = bgr.reshape(-1, 3).mean(axis=0)
    assert r > 200 and g < 50 and b < 50                   # what was recorded is the effect's output


def test_a_guest_records_and_keeps_a_clip_with_touch_alone(tmp_path: Path, screen: pygame.Surface) -> None:
    rig = Rig(tmp_path, screen, config(consent=True, countdown_s=1), ("none", "red"))
    rig.step()
    rig.tap_on("shutter")
    assert rig.booth.state == "consent"
    rig.tap_on("cancel")
    assert rig.booth.state == "attract"
    rig.tap_on("shutter")
    rig.tap_on("agree")
    assert rig.booth.state == "countdown"
    rig.tap_on("cancel")
    assert rig.booth.state == "attract"
    rig.tap_on("shutter")
    rig.tap_on("agree")
    rig.step(0.5, n=3)
    assert rig.booth.state == "recording"
    rig.step(n=6)
    rig.tap_on("stop")
    rig.until(lambda: rig.booth.clip is not None)
    rig.step()
    rig.tap_on("keep")
    assert rig.booth.state == "saved" and len(rig.kept) == 1
    rig.step()
    rig.tap_on("done")
    assert rig.booth.state == "attract"


def test_consent_idle_timeout_and_the_attract_loop(tmp_path: Path, screen: pygame.Surface) -> None:
    rig = Rig(tmp_path, screen, config(consent=True, idle_timeout_s=5.0, attract_cycle_s=2.0), ("none", "red"))
    rig.step(0.5, n=5)                                     # nobody has touched it since it started: the loop runs
    assert rig.booth.is_idle and rig.booth.effect == "red"
    rig.key(pygame.K_SPACE)
    assert rig.booth.state == "consent" and not rig.booth.is_idle
    rig.key(pygame.K_ESCAPE)
    assert rig.booth.state == "attract"
    rig.key(pygame.K_SPACE)
    rig.step(1.0, n=6)                                     # nobody answers
    assert rig.booth.state == "attract"
    rig.key(pygame.K_LEFT)
    assert rig.booth.effect == "none"
    rig.step(1.0, n=4)                                     # a guest is choosing: the effect stays
    assert rig.booth.effect == "none" and not rig.booth.is_idle
    rig.step(1.0, n=4)                                     # idle: effects cycle again
    assert rig.booth.is_idle and rig.booth.effect == "red"
    rig.key(pygame.K_SPACE)
    rig.key(pygame.K_SPACE)
    assert rig.booth.state == "countdown"


def test_gpio_buttons_post_the_same_events(tmp_path: Path, screen: pygame.Surface, mock_pins: object) -> None:
    cfg = config().replace("gpio", next_button="GPIO22", prev_button="GPIO23")
    rig = Rig(tmp_path, screen, cfg, ("none", "red", "blue"))
    buttons = bind_buttons(cfg.gpio, rig.booth.events)
    for pin, effect in (("GPIO22", "red"), ("GPIO22", "blue"), ("GPIO23", "red")):
        mock_pins.pin(pin).drive_low()  # type: ignore[attr-defined]
        mock_pins.pin(pin).drive_high()  # type: ignore[attr-defined]
        rig.step()
        assert rig.booth.effect == effect
    record = mock_pins.pin("GPIO17")  # type: ignore[attr-defined]
    record.drive_low()
    record.drive_high()
    rig.step()
    assert rig.booth.state == "countdown"
    for button in buttons:
        button.close()


def test_failsafe_on_camera_error_keeps_the_clip_and_recovers(
        tmp_path: Path, screen: pygame.Surface, caplog: pytest.LogCaptureFixture) -> None:
    rig = Rig(tmp_path, screen, config(countdown_s=0))
    rig.key(pygame.K_SPACE)
    rig.step(n=8)
    assert rig.booth.state == "recording"
    rig.camera.unplugged = True
    with caplog.at_level(logging.ERROR, logger="magicbooth.modes.booth"):
        rig.step(n=20)
    assert rig.booth.state == "failsafe"
    assert rig.booth.reason == "The camera is reconnecting…"
    # The full cause is in the log, once, with its traceback.
    causes = [r for r in caplog.records if "timed out waiting for a frame" in r.getMessage()]
    assert len(causes) == 1 and causes[0].exc_info and causes[0].exc_info[0] is CameraError
    # The half-recorded clip is saved and handed on, not lost.
    rig.until(lambda: len(rig.kept) == 1)
    assert rig.kept[0].is_file()
    # While unplugged the booth stays in failsafe; once frames return it goes back to attract.
    rig.step(0.5, n=6)
    assert rig.booth.state == "failsafe"
    rig.camera.unplugged = False
    rig.until(lambda: rig.booth.state == "attract")
    assert rig.camera.opens >= 2


def test_failsafe_shows_a_human_reason_never_the_exception(
        tmp_path: Path, screen: pygame.Surface, caplog: pytest.LogCaptureFixture, spoken: list[str]) -> None:
    Broken.on = True
    rig = Rig(tmp_path, screen, config(), ("broken",), failures=tmp_path / "state")
    rig.step()
    assert rig.booth.state == "failsafe"
    assert rig.booth.reason == "Something went wrong. Restarting…"
    assert "Something went wrong. Restarting…" in " ".join(spoken)   # (wrapped over lines on a small screen)
    assert any(line.startswith("Back in ") for line in spoken)       # when it tries again
    assert not any("zero" in line or "Error" in line for line in spoken)
    # The full cause goes to the log and to the file `magicbooth doctor` reads.
    assert "effect divided by zero" in caplog.text
    failure = incident.last(tmp_path / "state")
    assert failure is not None and failure["type"] == "ZeroDivisionError" and "divided by zero" in failure["traceback"]
    Broken.on = False
    rig.step(0.6, n=3)
    assert rig.booth.state == "attract"


def test_saved_screen_draws_a_qr_code_and_says_what_it_is_for(tmp_path: Path, screen: pygame.Surface,
                                                             spoken: list[str]) -> None:
    rig = Rig(tmp_path, screen, config(countdown_s=0, review=False, qr_url="https://example.org/c/{id}"))
    rig.key(pygame.K_SPACE)
    rig.step(n=4)
    rig.key(pygame.K_SPACE)
    rig.until(lambda: rig.booth.state == "saved")
    rig.step(0.01)
    assert "Scan to get your video" in " ".join(spoken)
    pixels = pygame.surfarray.array3d(screen)
    w = screen.get_width()
    card = pixels[w * 2 // 3:, :]
    theme = rig.booth.view.theme
    light = np.all(card == theme.card, axis=-1).sum()
    dark = np.all(card == theme.on_card, axis=-1).sum()
    assert light > 200 and dark > 200                      # a module pattern on the card beside the guest


def test_touch_mouse_and_keys_map_to_the_same_events(screen: pygame.Surface) -> None:
    from magicbooth.modes.events import Action, Pointer, from_pygame

    size = screen.get_size()
    pointer = Pointer()

    def finger(kind: int, x: float, y: float = 0.5) -> object:
        return from_pygame(pygame.event.Event(kind, x=x, y=y, touch_id=0, finger_id=0, dx=0, dy=0, pressure=1.0),
                           size, pointer)

    assert finger(pygame.FINGERDOWN, 0.9) is None                   # a tap is known when the finger lifts
    tap = finger(pygame.FINGERUP, 0.91)
    assert tap is not None and tap.action is Action.PRESS and tap.pos == (0.9, 0.5) and tap.source == "touch"
    finger(pygame.FINGERDOWN, 0.8)
    swipe = finger(pygame.FINGERUP, 0.5)
    assert swipe is not None and swipe.action is Action.NEXT        # the finger moved left: next effect
    finger(pygame.FINGERDOWN, 0.3)
    assert finger(pygame.FINGERUP, 0.6).action is Action.PREV       # type: ignore[attr-defined]

    def mouse(kind: int, x: int, touch: bool = False) -> object:
        return from_pygame(pygame.event.Event(kind, button=1, pos=(x, 10), touch=touch), size, pointer)

    mouse(pygame.MOUSEBUTTONDOWN, 10)
    click = mouse(pygame.MOUSEBUTTONUP, 10)
    assert click is not None and click.action is Action.PRESS and click.source == "mouse"
    # SDL also reports a touch as a mouse click; that copy is ignored so one tap is one event.
    assert mouse(pygame.MOUSEBUTTONDOWN, 10, touch=True) is None and mouse(pygame.MOUSEBUTTONUP, 10, True) is None
    keys = {pygame.K_SPACE: Action.PRESS, pygame.K_ESCAPE: Action.BACK, pygame.K_RIGHT: Action.NEXT,
            pygame.K_LEFT: Action.PREV}
    for key, action in keys.items():
        event = from_pygame(pygame.event.Event(pygame.KEYDOWN, key=key, mod=0, unicode="", scancode=0), size)
        assert event is not None and event.action is action and event.pos is None
    assert from_pygame(pygame.event.Event(pygame.QUIT), size).action is Action.QUIT  # type: ignore[union-attr]


def test_watchdog_pings_stop_while_the_camera_is_lost(tmp_path: Path, screen: pygame.Surface) -> None:
    path = str(tmp_path / "notify")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.setblocking(False)

    def pings() -> int:
        count = 0
        with contextlib.suppress(BlockingIOError):
            while True:
                count += sock.recv(64) == b"WATCHDOG=1"
        return count

    notifier = Notifier({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "200000"})
    rig = Rig(tmp_path, screen, config(), notifier=notifier)
    notifier.ready()
    rig.step(0.1, n=10)
    assert pings() >= 8                                     # one per 0.1 s of frames
    rig.camera.unplugged = True
    rig.step(0.1, n=6)                                      # within stall_s (0.5 s) a few more may go out
    pings()
    rig.step(0.1, n=20)
    assert rig.booth.state == "failsafe" and pings() == 0   # systemd will restart a process whose camera is gone
    rig.camera.unplugged = False
    rig.until(lambda: rig.booth.frames > 12)
    rig.step(0.1, n=3)
    assert pings() >= 1
    sock.close()


class Halves(Effect):
    """Left half of the frame red, right half blue (as recorded), so mirroring shows."""

    name, title = "halves", "Halves"

    def render(self, canvas: pygame.Surface, scene: Scene, t: float) -> None:
        w, h = canvas.get_size()
        canvas.fill((255, 0, 0), (0, 0, w // 2, h))
        canvas.fill((0, 0, 255), (w // 2, 0, w - w // 2, h))


class NeedsFace(Tint):
    name, title, colour, needs = "faceful", "Faceful", (90, 90, 90), frozenset({"faces"})
    needs_face = True


CATALOG.update({Halves.name: Halves, NeedsFace.name: NeedsFace})


def left_colour(screen: pygame.Surface) -> str:
    """Which colour fills the picture's left quarter on screen, at mid height (away from the dock)."""
    px = pygame.surfarray.array3d(screen)
    w, h = screen.get_size()
    r, _, b = px[w // 8][h // 5]
    return "red" if r > 200 and b < 60 else "blue" if b > 200 and r < 60 else f"other {r},{b}"


def test_review_shows_the_clip_mirrored_as_the_preview_was(tmp_path: Path, screen: pygame.Surface) -> None:
    rig = Rig(tmp_path, screen, config(countdown_s=0), ("halves",))
    rig.step()
    preview = left_colour(screen)
    assert preview == "blue"                               # [display] mirror: the selfie view
    rig.key(pygame.K_SPACE)
    rig.step(n=6)
    rig.key(pygame.K_SPACE)
    rig.until(lambda: rig.booth.clip is not None)
    rig.step(0.1, n=3)
    assert rig.booth.state == "review" and left_colour(screen) == preview
    cap = cv2.VideoCapture(str(rig.booth.clip))
    ok, bgr = cap.read()
    cap.release()
    assert ok and bgr[60, 20, 2] > 200                     # while the clip itself is as the camera saw it


def test_step_closer_when_the_effect_needs_a_face_and_none_is_found(
        tmp_path: Path, screen: pygame.Surface, spoken: list[str]) -> None:
    rig = Rig(tmp_path, screen, config(), ("none", "faceful"))
    rig.step(0.5, n=5)
    closer = "Step closer, we can't see your face"
    assert closer not in " ".join(spoken)                  # the plain camera needs no face
    rig.key(pygame.K_RIGHT)
    rig.step(0.5, n=2)
    assert closer not in " ".join(spoken)                  # give perception a moment first
    rig.step(0.5, n=3)
    assert closer in " ".join(spoken)                      # the gradient has no face in it
