"""A tiny sd_notify: READY, WATCHDOG, STATUS and STOPPING to systemd; a no-op outside it.

The protocol is one datagram per message on the AF_UNIX socket named by
``$NOTIFY_SOCKET`` (a leading ``@`` means the abstract namespace).

Why a watchdog *gate*: systemd should restart us when the camera stalls (a
re-plugged CSI camera often needs a fresh process), so pings are sent from the
main loop and only while frames keep arriving.

``Notifier()`` reads ``$NOTIFY_SOCKET`` and ``$WATCHDOG_USEC``; the main loop calls ``gate.frame_seen(frame.t)``
for each frame and ``gate.tick()`` once per iteration. With ``WatchdogSec=10`` (and, here, no socket, so
the messages go nowhere):

>>> now = [100.0]
>>> notifier = Notifier({"WATCHDOG_USEC": "10000000"})
>>> gate = WatchdogGate(notifier, stall_s=5.0, clock=lambda: now[0])
>>> notifier.ready("camera and models up")
>>> gate.frame_seen(); gate.tick()          # frames flow: a ping (at most every 5 s, half the period)
True
>>> now[0] += 6; gate.tick()                # no frame for 6 s: no ping, so systemd restarts the service
False
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable, Mapping

log = logging.getLogger(__name__)


class Notifier:
    """Sends notifications to systemd if started by it with ``Type=notify``; otherwise does nothing."""

    def __init__(self, environ: Mapping[str, str] = os.environ) -> None:
        address = environ.get("NOTIFY_SOCKET", "")
        self._address = "\0" + address[1:] if address.startswith("@") else address
        usec = environ.get("WATCHDOG_USEC", "")
        pid = environ.get("WATCHDOG_PID", "")
        watchdog_for_us = usec.isdigit() and int(usec) > 0 and (not pid or pid == str(os.getpid()))
        self._watchdog_s = int(usec) / 1e6 if watchdog_for_us else 0.0
        self._sock: socket.socket | None = None
        self._ready = False

    @property
    def enabled(self) -> bool:
        """True when running under systemd with a notify socket."""
        return bool(self._address)

    @property
    def watchdog_s(self) -> float:
        """The service's ``WatchdogSec`` in seconds, 0 when there is no watchdog."""
        return self._watchdog_s

    @property
    def is_ready(self) -> bool:
        return self._ready

    def ready(self, status: str = "") -> None:
        """Tell systemd the service can serve (send once the camera delivers frames and models are loaded)."""
        self._ready = True
        self.notify("READY=1" + (f"\nSTATUS={status}" if status else ""))

    def status(self, text: str) -> None:
        """A one-line status shown by ``systemctl status``."""
        self.notify(f"STATUS={text}")

    def watchdog(self) -> None:
        """Ping the watchdog; call only from the loop that does the work."""
        self.notify("WATCHDOG=1")

    def stopping(self, status: str = "") -> None:
        """Tell systemd we are shutting down on purpose."""
        self.notify("STOPPING=1" + (f"\nSTATUS={status}" if status else ""))

    def notify(self, message: str) -> bool:
        """Send one raw message; returns False (and logs once at debug) if it could not be sent."""
        if not self._address:
            return False
        try:
            if self._sock is None:
                self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
                self._sock.setblocking(False)   # a full queue must never stall the main loop
            self._sock.sendto(message.encode("utf-8"), self._address)
        except OSError as exc:
            log.debug("sd_notify %r failed: %s", message, exc)
            return False
        return True

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None


class WatchdogGate:
    """Pings the watchdog at half its period, but only while frames keep arriving.

    ``frame_seen(t)`` records the newest frame's monotonic time; ``tick()``
    sends a ping when one is due and the newest frame is younger than
    ``stall_s``. When the camera stalls the pings stop, and systemd restarts us.
    """

    def __init__(self, notifier: Notifier, stall_s: float, *,
                 clock: Callable[[], float] = time.monotonic, interval_s: float | None = None) -> None:
        self._notifier = notifier
        self._stall_s = stall_s
        self._clock = clock
        period = notifier.watchdog_s
        self._interval = interval_s if interval_s is not None else (period / 2 if period else 0.0)
        self._last_frame = -float("inf")
        self._last_ping = -float("inf")
        self._pings = 0

    @property
    def frames_flowing(self) -> bool:
        return self._clock() - self._last_frame < self._stall_s

    @property
    def pings(self) -> int:
        """How many pings were sent (for tests and the HUD)."""
        return self._pings

    def frame_seen(self, t: float | None = None) -> None:
        """Record that a frame arrived (``t`` in the same clock; default now)."""
        self._last_frame = self._clock() if t is None else t

    def alive(self) -> None:
        """Treat the process as healthy without a frame (e.g. while showing a config error)."""
        self._last_frame = self._clock()

    def tick(self) -> bool:
        """Ping if due and frames flow; returns whether a ping was sent."""
        if not self._interval:
            return False
        now = self._clock()
        # systemd arms the watchdog once READY is in; pings before it would be noise.
        if not self._notifier.is_ready or now - self._last_ping < self._interval or not self.frames_flowing:
            return False
        self._last_ping = now
        self._pings += 1
        self._notifier.watchdog()
        return True
