"""The pre-roll: the last N seconds of *encoded* packets, always starting at a keyframe.

Keeping packets instead of raw frames costs a few hundred kB instead of
hundreds of MB, and costs no CPU at ``start()``: the buffered packets are
written as they are (the idea of picamera2's ``CircularOutput2``).

>>> import av
>>> from magicbooth.recording.encoder import EncodedPacket
>>> ring = PacketRing(seconds=1.0)
>>> for i in range(90):                    # 3 s at 30 fps, a keyframe every second
...     t = i / 30
...     ring.append(EncodedPacket(av.Packet(b""), round(t * 90000), round(t * 90000), t, keyframe=i % 30 == 0))
>>> len(ring), ring.since(2.5)[0].t        # whole seconds kept; a clip starts at the keyframe before 2.5 s
(60, 2.0)
"""

from __future__ import annotations

from collections import deque

from magicbooth.recording.encoder import EncodedPacket


class PacketRing:
    """Keeps at least ``seconds`` of packets, trimmed a whole GOP at a time."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._items: deque[EncodedPacket] = deque()

    def __len__(self) -> int:
        return len(self._items)

    @property
    def span_s(self) -> float:
        """Seconds between the oldest and the newest buffered packet."""
        return self._items[-1].t - self._items[0].t if self._items else 0.0

    @property
    def newest_t(self) -> float | None:
        """Frame time of the newest packet, if any."""
        return self._items[-1].t if self._items else None

    def append(self, item: EncodedPacket) -> None:
        """Add a packet and drop whole GOPs that are no longer needed to cover ``seconds``."""
        self._items.append(item)
        cutoff = item.t - self.seconds
        # Drop the oldest GOP while the *next* keyframe still starts at or before the cutoff.
        while True:
            second_key = next((i for i, b in enumerate(self._items) if i > 0 and b.keyframe), None)
            if second_key is None or self._items[second_key].t > cutoff:
                break
            for _ in range(second_key):
                self._items.popleft()

    def since(self, t: float) -> list[EncodedPacket]:
        """Packets from the last keyframe at or before ``t`` (else the first keyframe) to the newest."""
        items = list(self._items)
        keys = [i for i, b in enumerate(items) if b.keyframe]
        if not keys:
            return []
        at_or_before = [i for i in keys if items[i].t <= t]
        start = at_or_before[-1] if at_or_before else keys[0]
        return items[start:]
