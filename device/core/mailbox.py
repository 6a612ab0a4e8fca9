"""A one-slot mailbox: the writer never waits, the reader gets the newest item.

Overwriting an unread item counts a drop, so a slow consumer shows up as a
number instead of as latency.
"""

from __future__ import annotations

import threading
from typing import Generic, TypeVar

T = TypeVar("T")


class Mailbox(Generic[T]):
    """Holds at most one item; ``put`` replaces (and counts a drop), ``get`` waits."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._item: T | None = None
        self._full = False
        self._closed = False
        self.dropped = 0

    @property
    def closed(self) -> bool:
        return self._closed

    def put(self, item: T) -> None:
        with self._cond:
            if self._full:
                self.dropped += 1
            self._item, self._full = item, True
            self._cond.notify()

    def get(self, timeout: float | None = None) -> T | None:
        """The newest item, or ``None`` on timeout or once closed and empty."""
        with self._cond:
            if not self._cond.wait_for(lambda: self._full or self._closed, timeout):
                return None
            if not self._full:
                return None
            item, self._item, self._full = self._item, None, False
            return item

    def close(self) -> None:
        """Wake any reader; later ``get`` calls return what is left, then ``None``."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
