"""Loop a saved clip on screen for the booth's review, decoding it as it plays.

Decoding the saved file (rather than replaying frames kept in memory) shows
the guest exactly what was stored, and needs no RAM for a whole clip.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from magicbooth.core.errors import RecorderError


class ClipPlayer:
    """Returns the clip's frame for a given play time, looping; one decoder open at a time."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._cap = self._open()
        fps = self._cap.get(cv2.CAP_PROP_FPS)
        self._fps = fps if fps and fps > 0 else 30.0
        self._shown = -1
        self._frame: np.ndarray | None = None

    @property
    def path(self) -> Path:
        return self._path

    def _open(self) -> cv2.VideoCapture:
        cap = cv2.VideoCapture(str(self._path))
        if not cap.isOpened():
            raise RecorderError(f"{self._path}: cannot open the saved clip for review")
        return cap

    def frame_at(self, t: float) -> np.ndarray:
        """RGB frame to show ``t`` seconds after playback began (wraps at the end)."""
        wanted = int(t * self._fps)
        while self._shown < wanted or self._frame is None:
            ok, bgr = self._cap.read()
            if not ok:
                if self._frame is None:
                    raise RecorderError(f"{self._path}: the saved clip has no frames")
                self._cap.release()
                self._cap = self._open()
                return self._frame
            self._frame = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
            self._shown += 1
        return self._frame

    def close(self) -> None:
        self._cap.release()
