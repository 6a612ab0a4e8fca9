"""Where the full-range detector looks for far faces: the whole picture, then overlapping square tiles.

A guest 1-4 m from a wide-angle camera has a face 24-48 px wide in a 640×480 frame. Letterboxed
whole into the full-range detector's 192×192 input that is 7-14 px, too small for it (float recall
on such faces: 2/60 at 24 px, 29/60 at 48 px; ``models_tflite/REPORT.md``). A tile 0.4 of the frame's
long side wide brings a 24 px face to 18 px, where it finds most of them. The scan looks at one region per
detection, so a far face is found within one pass over ``scan_regions`` (10 detections at 4:3).

>>> [r.box for r in scan_regions(640, 480)][:4]
[(0, 0, 640, 480), (0, 0, 256, 256), (192, 0, 448, 256), (384, 0, 640, 256)]
>>> len(scan_regions(640, 480)), len(scan_regions(1280, 720))
(10, 7)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

TILE = 0.4      # tile side as a fraction of the frame's long side
OVERLAP = 0.1   # least overlap of neighbouring tiles, same unit: a face 48 px wide at 640 fits whole in one


@dataclass(frozen=True, slots=True)
class Region:
    """A part of the frame, in frame pixels; ``whole`` when it is the entire frame."""

    x0: int
    y0: int
    x1: int
    y1: int
    whole: bool = False

    @property
    def box(self) -> tuple[int, int, int, int]:
        return self.x0, self.y0, self.x1, self.y1

    def contains(self, x: float, y: float, margin: float = 0.0) -> bool:
        """Whether the point lies inside, at least ``margin`` pixels from every edge."""
        return self.x0 + margin <= x <= self.x1 - margin and self.y0 + margin <= y <= self.y1 - margin


def scan_regions(width: int, height: int, tile: float = TILE, overlap: float = OVERLAP) -> tuple[Region, ...]:
    """The whole frame, then square tiles row by row covering it with at least ``overlap`` between neighbours."""
    side = min(round(tile * max(width, height)), width, height)
    step_overlap = overlap * max(width, height)
    tiles = tuple(Region(x, y, x + side, y + side)
                  for y in _starts(height, side, step_overlap) for x in _starts(width, side, step_overlap))
    return (Region(0, 0, width, height, whole=True), *tiles)


def _starts(length: int, side: int, overlap: float) -> list[int]:
    if length <= side:
        return [0]
    count = math.ceil((length - side) / max(1.0, side - overlap)) + 1
    return [round(i * (length - side) / (count - 1)) for i in range(count)]
