"""Health checks for ``doctor`` (and, later, the booth's status screen).

Each check is a function ``(config) -> Check``; a failing check says how to fix it.
"""

from __future__ import annotations

import importlib
import platform
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata

from magicbooth.camera import FileSource, Picamera2Source, WebcamSource, sample_path
from magicbooth.core.config import Config
from magicbooth.core.machine import board_model, display_candidates, state_dir
from magicbooth.library.paths import clips_root
from magicbooth.library.storage import LEVELS, MB, free_bytes, level_for, same_filesystem, storage_status


@dataclass(frozen=True)
class Check:
    """One line of the doctor's table."""

    name: str
    ok: bool
    detail: str
    fix: str = ""
    warn: bool = False

    @property
    def status(self) -> str:
        return "ok" if self.ok else ("warn" if self.warn else "FAIL")

    def as_dict(self) -> dict[str, object]:
        return {"name": self.name, "status": self.status, "detail": self.detail, "fix": self.fix}


def check_platform(config: Config) -> Check:
    board = board_model() or "not a Raspberry Pi"
    return Check("platform", True, f"{board}; {platform.system()} {platform.machine()}; "
                 f"Python {platform.python_version()}")


def check_versions(config: Config) -> Check:
    parts, missing = [], []
    for module, label in (("numpy", "numpy"), ("cv2", "opencv"), ("pygame", "pygame"), ("av", "av"),
                          ("ai_edge_litert", "ai-edge-litert"), ("gpiozero", "gpiozero")):
        try:
            importlib.import_module(module)
            parts.append(f"{label} {metadata.version(label if label != 'opencv' else 'opencv-python-headless')}")
        except (ImportError, metadata.PackageNotFoundError):
            missing.append(label)
    if missing:
        return Check("runtime", False, "missing: " + ", ".join(missing),
                     "rerun the README's run command (it installs the dependencies into .venv)")
    return Check("runtime", True, "; ".join(parts))


def check_camera(config: Config) -> Check:
    if Picamera2Source.available():
        return Check("camera", True, "Raspberry Pi camera found (picamera2)")
    if WebcamSource.available(0):
        return Check("camera", True, "webcam at /dev/video0")
    try:
        with FileSource(sample_path()) as sample:
            ok = sample.read() is not None
    except Exception as exc:
        return Check("camera", False, f"no camera, and the bundled sample is unreadable: {exc}",
                     "reinstall magicbooth (device/assets/sample.mp4 is part of the package)")
    return Check("camera", False, "no camera found; 'auto' will use the bundled sample clip",
                 "connect a Pi camera (check 'rpicam-hello --list-cameras') or a USB webcam", warn=ok)


def check_display(config: Config) -> Check:
    found = display_candidates()
    if found:
        return Check("display", True, ", ".join(f"{mode} via {driver}" for mode, driver in found))
    return Check("display", False, "no desktop session and no DRM device: 'run' will be headless",
                 "connect a screen (HDMI/DSI) for the booth, or use headless mode", warn=True)


def check_disk(config: Config) -> Check:
    """Free space judged by the library's own policy ([storage] min_free_mb, low_free_mb), and the clips.

    The state directory (the upload queue's database) is judged the same way when it is on another filesystem.
    """
    status = storage_status(clips_root(config), config.storage)
    level, detail = status.level, status.message
    state = state_dir(config.device.state_dir)
    if not same_filesystem(state, status.root):
        free = free_bytes(state)
        state_level = level_for(free, config.storage)
        detail += f"; state directory {state}: {free / MB:.0f} MB free, storage {state_level}"
        level = max(level, state_level, key=LEVELS.index)
    return Check("disk", level == "ok", detail,
                 "upload or delete clips ('magicbooth clips list'), lower [storage] min_free_mb, "
                 "or allow [storage] delete_unuploaded", warn=level == "low")


def check_upload(config: Config) -> Check:
    """The upload target (reachable with these credentials?) and the queue: queued, failed with reasons."""
    if not config.upload.enabled:
        return Check("upload", True, "off ([upload] endpoint and bucket are not set)")
    if not _may_use_ip():
        return Check("upload", True, "not checked: this sandbox has no network (the camera units by design); check "
                     "the uploader's: magicbooth doctor --as-service /etc/systemd/system/magicbooth-upload.service")
    from magicbooth.upload.queue import UploadQueue

    queue = UploadQueue(config)
    try:
        target = queue.check_target()
        status = queue.status(max_failures=3)
    finally:
        queue.close()
    counts = f"queued {status.queued}, uploaded {status.uploaded}, failed {status.failed}"
    failures = "".join(f"; {clip}: {reason}" for clip, reason in status.failures)
    ok = target.startswith("ok")
    return Check("upload", ok and not status.failed, f"{target}; {counts}{failures}",
                 "fix what the message names, then 'magicbooth upload --once' (add --retry-failed for "
                 "failed clips)", warn=ok)


def check_booth(config: Config) -> Check:
    """The booth's last failure (guests saw a short sentence; this is the cause), warned about for a day."""
    from datetime import UTC, datetime, timedelta

    from magicbooth.core.incident import FILE, last

    folder = state_dir(config.device.state_dir)
    failure = last(folder)
    if failure is None:
        return Check("booth", True, "no failure recorded")
    when = failure.get("time", "?")
    try:
        recent = datetime.now(UTC) - datetime.fromisoformat(when) < timedelta(days=1)
    except (TypeError, ValueError):
        recent = True
    line = (f"last failure {when} while {failure.get('state', '?')}: {failure.get('type', '?')}: "
            f"{failure.get('message', '')} (guests saw the '{failure.get('reason', '?')}' message)")
    return Check("booth", not recent, line, f"the traceback is in {folder / FILE} and the journal "
                 "(journalctl -u magicbooth); it recovers by itself, fix the cause if it repeats", warn=recent)


def _may_use_ip() -> bool:
    """False inside a unit whose RestrictAddressFamilies= leaves out AF_INET (``doctor --as-service``)."""
    import errno
    import socket

    try:
        socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
    except OSError as exc:
        return exc.errno != errno.EAFNOSUPPORT
    return True


CHECKS: tuple[Callable[[Config], Check], ...] = (check_platform, check_versions, check_camera, check_display,
                                                 check_disk, check_upload, check_booth)
