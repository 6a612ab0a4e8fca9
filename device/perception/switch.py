"""One ``Perception`` per set of needs, built once; only the active one runs.

Effects switch live (booth carousel, arrow keys). Each switch must not reload
models, and only the models the active effect needs may use the CPU, so every
mode goes through this one switch (``pipeline.stages.PerceptionStage`` drives it).

Usage::

    switch = PerceptionSwitch(config, live=True, preload=[{"faces"}, {"mask"}])
    switch.use({"faces"}); switch.start()
    scene = switch.scene(frame)
"""

from __future__ import annotations

from collections.abc import Iterable

from magicbooth.core.config import Config
from magicbooth.core.frames import Frame
from magicbooth.core.scene import Scene
from magicbooth.perception.assembly import Perception
from magicbooth.perception.quality import PerceptionQuality


class PerceptionSwitch:
    """Holds the perceptions by needs; ``use`` picks the active one and moves the workers to it."""

    def __init__(self, config: Config, *, live: bool, preload: Iterable[Iterable[str]] = ()) -> None:
        self.config = config
        self.live = live
        self._by_needs: dict[frozenset[str], Perception] = {}
        self._active: Perception | None = None
        self._running = False
        self._quality = PerceptionQuality()
        for needs in preload:
            self._get(frozenset(needs))

    @property
    def active(self) -> Perception | None:
        return self._active

    @property
    def loaded(self) -> int:
        """How many perception sets (each with its models) are loaded."""
        return len(self._by_needs)

    @property
    def running_needs(self) -> frozenset[str]:
        """What the running perception computes (empty when nothing runs)."""
        active = self._active
        return active.needs if active is not None and active.is_running else frozenset()

    @property
    def quality(self) -> PerceptionQuality:
        return self._quality

    def set_quality(self, quality: PerceptionQuality) -> None:
        """Every perception (and those made later) runs at ``quality``; see ``Perception.set_quality``."""
        self._quality = quality
        for perception in self._by_needs.values():
            perception.set_quality(quality)

    def use(self, needs: Iterable[str]) -> Perception | None:
        """Make the perception for ``needs`` active (``None`` for no needs); live workers follow."""
        new = self._get(frozenset(needs))
        if new is not self._active:
            old, self._active = self._active, new
            if old is not None and old.is_running:
                old.stop()
            if self._running and self.live and new is not None:
                new.start()
        return new

    def start(self) -> None:
        """Start the active perception's workers (live mode only)."""
        self._running = True
        if self.live and self._active is not None and not self._active.is_running:
            self._active.start()

    def stop(self, timeout: float = 2.0) -> None:
        """Stop every running worker; raises ``WorkerError`` if one will not end."""
        self._running = False
        for perception in self._by_needs.values():
            if perception.is_running:
                perception.stop(timeout)

    def scene(self, frame: Frame, *, still: bool = False) -> Scene:
        """The scene for ``frame``: in order offline, the newest results live, empty with no needs.

        ``still`` treats ``frame`` as an unrelated photo (no tracking or smoothing across frames).
        """
        perception = self._active
        if perception is None:
            return Scene(frame)
        if still:
            return perception.process_still(frame)
        if not self.live:
            return perception.process(frame)
        if not perception.is_running:
            perception.start()
            self._running = True
        perception.submit(frame)
        return perception.scene_for(frame)

    def _get(self, needs: frozenset[str]) -> Perception | None:
        if not needs:
            return None
        if needs not in self._by_needs:
            self._by_needs[needs] = Perception(self.config, needs)
            self._by_needs[needs].set_quality(self._quality)
        return self._by_needs[needs]
