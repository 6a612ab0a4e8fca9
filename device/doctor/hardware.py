"""Doctor checks for what the service needs from the machine: device nodes, GPIO, models, thermals.

Each check is ``(config) -> Check`` like the rest of ``magicbooth.doctor.checks``. The
device check opens every node the way the service would, because under
systemd a group that cannot be resolved is dropped and ``DevicePolicy=`` can
hide a node: run ``magicbooth doctor --as-service`` to see it from inside
the unit's sandbox.
"""

from __future__ import annotations

import errno
import glob
import grp
import os
import re
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from magicbooth.core.config import Config
from magicbooth.core.machine import is_raspberry_pi
from magicbooth.doctor.checks import Check

# Device class -> (glob patterns, why the service needs it, open flags).
DEVICE_CLASSES: Mapping[str, tuple[tuple[str, ...], str, int]] = {
    "camera": (("/dev/video*", "/dev/media*", "/dev/v4l-subdev*"), "camera capture (video4linux, media controller)",
               os.O_RDWR),
    "dma_heap": (("/dev/dma_heap/*",), "picamera2 frame buffers", os.O_RDWR),
    "display": (("/dev/dri/card*",), "the booth's kmsdrm display", os.O_RDWR),
    "gpio": (("/dev/gpiochip*",), "button and status LED", os.O_RDWR),
    "input": (("/dev/input/event*",), "touch screen and keyboard on the console", os.O_RDONLY),
    # Control nodes only: a PCM the service is recording from would open as EBUSY.
    "audio": (("/dev/snd/controlC*",), "the microphone ([audio] mic, ALSA)", os.O_RDWR),
}

# Classes only the booth uses (kmsdrm, touch and keys): the headless unit's DeviceAllow= leaves them out.
BOOTH_ONLY = ("display", "input")

THROTTLE_BITS: Mapping[int, str] = {
    0: "under-voltage now", 1: "ARM frequency capped now", 2: "throttled now", 3: "soft temperature limit now",
    16: "under-voltage has occurred", 17: "ARM frequency capping has occurred", 18: "throttling has occurred",
    19: "soft temperature limit has occurred",
}
THERMAL_ZONE = Path("/sys/class/thermal/thermal_zone0/temp")
WARM_C, HOT_C = 70.0, 80.0


def open_devices(classes: Mapping[str, tuple[tuple[str, ...], str, int]] = DEVICE_CLASSES
                 ) -> dict[str, list[tuple[str, int]]]:
    """Class -> [(node, errno or 0)] for every node that exists, opened as the service would."""
    found: dict[str, list[tuple[str, int]]] = {}
    for name, (patterns, _why, flags) in classes.items():
        nodes = sorted({p for pattern in patterns for p in glob.glob(pattern)})
        results = []
        for node in nodes:
            try:
                os.close(os.open(node, flags | os.O_NONBLOCK | os.O_CLOEXEC))
                results.append((node, 0))
            except OSError as exc:
                results.append((node, exc.errno or errno.EIO))
        found[name] = results
    return found


def check_devices(config: Config, classes: Mapping[str, tuple[tuple[str, ...], str, int]] = DEVICE_CLASSES
                  ) -> Check:
    """Every camera, DMA heap, DRM, GPIO and input node opens for this user (in this sandbox)."""
    opened = open_devices(classes)
    denied = [(node, err) for results in opened.values() for node, err in results if err]
    present = [f"{name} {len(results)}" for name, results in opened.items() if results]
    if not present:
        return Check("devices", False, "no camera, display, GPIO, input or sound device nodes here",
                     "on a Raspberry Pi, check the camera cable and 'rpicam-hello --list-cameras'", warn=True)
    if not denied:
        return Check("devices", True, "all open: " + ", ".join(present))
    # The headless unit lists no screen or input device on purpose: its policy blocking them is no fault.
    by_design = {node for name in BOOTH_ONLY for node, err in opened.get(name, []) if err == errno.EPERM}
    problems, fixes = [], set()
    for node, err in denied:
        group = _group_of(node)
        if node in by_design:
            problems.append(f"{node} blocked (booth only)")
        elif err == errno.EPERM:   # the cgroup device policy said no
            problems.append(f"{node} blocked")
            fixes.add("add the node's class to DeviceAllow= in the unit (see systemd/magicbooth.service)")
        else:
            problems.append(f"{node} {errno.errorcode.get(err, err)}")
            fixes.add(f"add the user to group {group}: sudo usermod -aG {group} {_user()} "
                      "(install-service does this for the service user), then log in again")
    only_by_design = len(by_design) == len(denied)
    return Check("devices", False, "cannot open: " + ", ".join(problems),
                 "; ".join(sorted(fixes)) or "none needed unless this is the booth's unit", warn=only_by_design)


def check_gpio(config: Config, *, pin_factory: Any = None) -> Check:
    """The configured button and LED pins exist and can be claimed through gpiozero."""
    gpio = config.gpio
    pins = [("button", gpio.button), ("next_button", gpio.next_button), ("prev_button", gpio.prev_button)]
    leds = [p for p in gpio.led if p]
    if not any(p for _, p in pins) and not leds:
        return Check("gpio", True, "no button or LED configured ([gpio])")
    if pin_factory is None and not glob.glob("/dev/gpiochip*"):
        return Check("gpio", False, "no /dev/gpiochip*: this machine has no GPIO",
                     "headless mode needs a Raspberry Pi (or set [gpio] button = \"\" and led = [])",
                     warn=not is_raspberry_pi())
    from gpiozero import LED, Button, GPIOZeroError

    claimed = []
    try:
        for key, pin in pins:
            if pin:
                where = f"[gpio] {key} = \"{pin}\""
                claimed.append(Button(pin, pull_up=gpio.pull_up, pin_factory=pin_factory))
        for pin in leds:
            where = f"[gpio] led pin \"{pin}\""
            claimed.append(LED(pin, pin_factory=pin_factory))
    except (GPIOZeroError, OSError, ValueError) as exc:
        return Check("gpio", False, f"{where}: {exc}",
                     "use a free BCM pin name such as \"GPIO17\"; on a Pi install python3-lgpio and make sure "
                     "the user is in group gpio")
    finally:
        for device in claimed:
            device.close()
    names = ", ".join(p for _, p in pins if p) + (f"; LED {', '.join(leds)}" if leds else "")
    factory = type(pin_factory).__name__ if pin_factory is not None else "default pin factory"
    return Check("gpio", True, f"button {names} ({factory})")


def decode_throttled(value: int) -> list[str]:
    """The set bits of ``vcgencmd get_throttled`` as words, current conditions first."""
    return [text for bit, text in THROTTLE_BITS.items() if value & (1 << bit)]


def parse_throttled(output: str) -> int:
    """``throttled=0x50005`` -> 0x50005."""
    match = re.search(r"throttled=(0x[0-9a-fA-F]+|\d+)", output)
    if not match:
        raise ValueError(f"unexpected vcgencmd output: {output.strip()!r}")
    return int(match.group(1), 0)


def read_temperature(zone: Path = THERMAL_ZONE) -> float | None:
    """SoC temperature in °C from sysfs (millidegrees), or None where there is no thermal zone."""
    try:
        return int(zone.read_text().strip()) / 1000.0
    except (OSError, ValueError):
        return None


def check_thermals(config: Config, *, zone: Path = THERMAL_ZONE,
                   vcgencmd: Sequence[str] = ("vcgencmd", "get_throttled")) -> Check:
    """On a Pi: temperature and ``vcgencmd get_throttled``, decoded."""
    if not is_raspberry_pi():
        return Check("thermals", True, "not a Raspberry Pi: skipped")
    temp = read_temperature(zone)
    try:
        out = subprocess.run(list(vcgencmd), capture_output=True, text=True, timeout=5, check=True).stdout
        flags = parse_throttled(out)
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        return thermal_verdict(temp, None, f"vcgencmd unavailable ({exc})")
    return thermal_verdict(temp, flags)


def thermal_verdict(temp: float | None, flags: int | None, note: str = "") -> Check:
    """Turn a temperature and throttle flags into a Check (separate so it can be tested anywhere)."""
    parts = [f"{temp:.1f} °C" if temp is not None else "temperature unknown"]
    words = decode_throttled(flags) if flags is not None else []
    parts.append(f"throttled=0x{flags:x}" + (f" ({', '.join(words)})" if words else " (never)")
                 if flags is not None else note)
    detail = "; ".join(p for p in parts if p)
    now = flags is not None and bool(flags & 0xF)
    before = flags is not None and bool(flags & 0xF0000)
    hot = temp is not None and temp >= HOT_C
    warm = temp is not None and temp >= WARM_C
    power = flags is not None and bool(flags & 0x10001)
    fix = "; ".join(f for f, on in (
        ("use the official power supply (5.1 V 3 A for a Pi 4, 5 V 5 A for a Pi 5) and a short, thick cable", power),
        ("add a heatsink or fan and give the case airflow", hot or warm or bool(flags and flags & 0xA000A)),
    ) if on)
    if now or hot:
        return Check("thermals", False, detail, fix or "check power and cooling")
    if before or warm or flags is None:
        return Check("thermals", False, detail, fix or "install vcgencmd (package libraspberrypi-bin)", warn=True)
    return Check("thermals", True, detail)


def check_models(config: Config) -> Check:
    """Every shipped int8 model matches its sha256 and loads into XNNPACK; which graph this CPU gets, partitions."""
    from magicbooth.core.errors import ModelError
    from magicbooth.inference.cpu import detect
    from magicbooth.inference.loader import load_model, read_manifest

    cpu = detect()
    try:
        names = sorted({name for name, variant in read_manifest() if variant.startswith("int8")})
        loaded = [load_model(name, threads=1) for name in names]
    except ModelError as exc:
        return Check("models", False, str(exc), "rebuild the models: python tools/build_models.py "
                     "(or restore models_tflite/ from git)")
    parts = [f"{m.name} {m.variant} {m.delegation.partitions} partition{'s' if m.delegation.partitions != 1 else ''}"
             for m in loaded]
    partial = [m.name for m in loaded if not m.delegation.fully_delegated]
    detail = (f"{len(loaded)} int8 models for CPU class {cpu.describe()}, sha256 ok; XNNPACK: " + ", ".join(parts))
    if partial:
        return Check("models", False, detail + f"; not fully delegated: {', '.join(partial)}",
                     "rebuild with python tools/build_models.py; ops left outside XNNPACK run slowly",
                     warn=True)
    return Check("models", True, detail)


def check_gestures(config: Config) -> Check:
    """Whether hand gestures can run (the two hand models load) and whether ``[booth] gestures`` turns them on."""
    from magicbooth.perception.hands import models_available

    ok, detail = models_available()
    state = "on" if config.booth.gestures else "off ([booth] gestures = false)"
    if ok:
        return Check("gestures", True, f"available, {state}: {detail}")
    return Check("gestures", False, f"not available, {state}: {detail}",
                 "rebuild the models: python tools/build_models.py palm_detection_lite hand_landmark_lite "
                 "(or restore models_tflite/ from git)", warn=not config.booth.gestures)


def _group_of(node: str) -> str:
    try:
        return grp.getgrgid(os.stat(node).st_gid).gr_name
    except (OSError, KeyError):
        return "?"


def _user() -> str:
    import pwd

    return pwd.getpwuid(os.geteuid()).pw_name


HW_CHECKS = (check_devices, check_gpio, check_models, check_gestures, check_thermals)
