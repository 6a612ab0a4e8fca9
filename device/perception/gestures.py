"""Hand gestures from 21 landmarks: what a hand shows (pure functions) and what it means over time.

``hand_pose`` names the pose in one frame from the joints' geometry alone (3D, z at x scale):
a finger is *extended* when its tip is well past its middle joint from the wrist and the
finger is straight, *curled* when the tip comes back toward the palm. From those:
``open_palm`` (four fingers and the thumb out, fingers up, the palm facing the camera),
``thumb_up`` / ``thumb_down`` (a fist with the thumb out, pointing straight up or down),
``fist``, ``pointing``, ``victory``, else ``other``.

``GestureRecognizer`` turns a stream of tracked hands into gestures, so a hand passing by
never fires one:

- **hold**: a pose held still (the palm drifting less than ``still`` palm sizes, its speed
  over a quarter second under ``still_speed`` palm sizes a second) for its time fires
  once: an open palm for ``hold_s`` (1 s) -> ``"start"``, a thumb up or down for
  ``thumb_hold_s`` -> ``"keep"`` / ``"retake"``. A wave moves too much to count; brief
  misses (``gap_s``) are forgiven; after firing, the pose must be dropped before it fires again.
  ``cue`` says how far along the hold is, for the progress ring on the palm.
- **swipe**: the palm crossing ``swipe_palms`` palm sizes (and ``swipe_frame`` of the picture)
  sideways within ``swipe_s``, mostly horizontally -> ``"swipe_left"`` / ``"swipe_right"``,
  in the picture as the camera records it (not mirrored); then ``cooldown_s`` of rest, and
  the swiping hand must drop before it can start a hold.

Only the gestures in ``wanted`` fire (the booth says which, per screen).

>>> open_hand = np.array(OPEN_PALM_EXAMPLE, np.float32)
>>> hand_pose(open_hand)
'open_palm'
>>> recognizer = GestureRecognizer(wanted={"start"})
>>> fired = [recognizer.update(t / 30, [open_hand], (640, 480)) for t in range(40)]
>>> [t for t, f in enumerate(fired) if f], fired[30]          # one second at 30 fps, then once
([30], ['start'])
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

FINGERS: dict[str, tuple[int, int, int, int]] = {
    "index": (5, 6, 7, 8), "middle": (9, 10, 11, 12), "ring": (13, 14, 15, 16), "pinky": (17, 18, 19, 20)}
THUMB = (1, 2, 3, 4)
WRIST, MIDDLE_MCP = 0, 9
POSES = ("open_palm", "thumb_up", "thumb_down", "fist", "pointing", "victory", "other")
HOLDS = {"open_palm": "start", "thumb_up": "keep", "thumb_down": "retake"}
GESTURES = ("start", "keep", "retake", "swipe_left", "swipe_right")
SPEED_WINDOW_S = 0.25

# An upright open right hand, palm to the camera, in pixels (x, y, z): the doctests' and tests' reference.
OPEN_PALM_EXAMPLE = (
    (320, 400, 0), (345, 385, -5), (365, 360, -8), (380, 335, -10), (392, 312, -12),
    (342, 320, -4), (348, 285, -6), (351, 262, -7), (354, 242, -8),
    (322, 316, -4), (322, 278, -6), (322, 253, -7), (322, 232, -8),
    (303, 320, -4), (298, 285, -6), (295, 262, -7), (293, 243, -8),
    (286, 328, -4), (278, 302, -6), (274, 285, -7), (271, 270, -8))


def _distance(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(a - b))


def _cos(u: np.ndarray, v: np.ndarray) -> float:
    return float(u @ v / max(np.linalg.norm(u) * np.linalg.norm(v), 1e-9))


def finger_state(points: np.ndarray, finger: str) -> str:
    """``extended``, ``curled`` or ``half`` for one of the four fingers."""
    mcp, pip, _, tip = (points[i] for i in FINGERS[finger])
    wrist = points[WRIST]
    reach = _distance(tip, wrist) / max(_distance(pip, wrist), 1e-6)
    straight = _cos(pip - mcp, tip - pip)
    if reach > 1.2 and straight > 0.55:
        return "extended"
    if reach < 1.05 or straight < 0.0:
        return "curled"
    return "half"


def thumb_out(points: np.ndarray) -> bool:
    """The thumb stands out from the hand: straight, and its tip well away from the index knuckle."""
    cmc, mcp, ip, tip = (points[i] for i in THUMB)
    palm = _distance(points[MIDDLE_MCP], points[WRIST])
    straight = _cos(ip - mcp, tip - ip) > 0.6 and _cos(mcp - cmc, tip - mcp) > 0.3
    return straight and _distance(tip, points[5]) > 0.55 * palm and _distance(tip, points[WRIST]) > 1.05 * palm


def hand_pose(points: np.ndarray) -> str:
    """Name the pose of one hand from its (21, 3) landmarks (frame pixels, y down); one of ``POSES``."""
    points = np.asarray(points, np.float32)[:, :3]
    states = {name: finger_state(points, name) for name in FINGERS}
    extended = [name for name, state in states.items() if state == "extended"]
    curled = [name for name, state in states.items() if state == "curled"]
    palm = _distance(points[MIDDLE_MCP], points[WRIST])
    up = points[MIDDLE_MCP, :2] - points[WRIST, :2]
    thumb = _thumb_pointing(points, palm)
    if len(extended) == 4 and thumb and _across(points):
        return thumb      # the fingers read straight but lie across a vertical thumb: a fist seen side-on
    if len(extended) == 4:
        upright = -up[1] > 0.6 * np.linalg.norm(up)             # fingers within ~53 degrees of straight up
        facing = _distance(points[5, :2], points[17, :2]) > 0.45 * palm   # knuckles spread: palm or back on
        thumb_clear = _distance(points[4], points[17]) > 0.8 * palm       # not folded across the palm
        return "open_palm" if upright and facing and thumb_clear else "other"
    if len(curled) + len([s for s in states.values() if s == "half"]) == 4 and len(curled) >= 3:
        if thumb_out(points):
            return thumb or "other"
        return "fist"
    if extended == ["index"] and len(curled) >= 2:
        return "pointing"
    if sorted(extended) == ["index", "middle"] and len(curled) >= 1:
        return "victory"
    return "other"


def _thumb_pointing(points: np.ndarray, palm: float) -> str:
    """``thumb_up`` / ``thumb_down`` when the thumb stands out, within ~50 degrees of vertical, past every other
    joint in its direction; else ""."""
    if not thumb_out(points):
        return ""
    direction = points[4, :2] - points[2, :2]
    if abs(direction[1]) <= 0.65 * np.linalg.norm(direction):
        return ""
    ys = points[:, 1]
    if direction[1] < 0 and ys[4] <= ys.min() + 0.05 * palm:
        return "thumb_up"
    if direction[1] > 0 and ys[4] >= ys.max() - 0.05 * palm:
        return "thumb_down"
    return ""


def _across(points: np.ndarray) -> bool:
    """The four fingers lie across the thumb (within ~25 degrees of perpendicular to it) and side by side.

    The landmark model reads a fist seen from the thumb's side with its fingers straight; a flat
    hand would have its fingers along the thumb's line or fanned out.
    """
    thumb = points[4, :2] - points[2, :2]
    fingers = [points[tip, :2] - points[mcp, :2] for mcp, *_, tip in FINGERS.values()]
    return all(abs(_cos(thumb, f)) < 0.42 for f in fingers)


@dataclass(frozen=True)
class GestureSettings:
    """Timings and distances of the recognizer (palm sizes: wrist to middle knuckle)."""

    hold_s: float = 1.0          # open palm held this long starts
    thumb_hold_s: float = 0.6    # thumb up / down held this long keeps / retakes
    gap_s: float = 0.3           # a hold survives missed frames this long
    still: float = 0.6           # palm sizes the palm may drift during a hold...
    still_speed: float = 1.0     # ...moving at most this many palm sizes a second (a wave moves 3-10)
    swipe_palms: float = 1.8     # a swipe crosses at least this many palm sizes...
    swipe_frame: float = 0.2     # ...and this fraction of the picture's width
    swipe_s: float = 0.4         # within this long (an open hand passing at a walk does not)
    cooldown_s: float = 0.8      # rest after a swipe


@dataclass(frozen=True)
class Cue:
    """A hold in progress, for the screen: which pose, how far (0..1), where (fractions of the picture)."""

    pose: str
    progress: float
    x: float
    y: float
    radius: float                # palm size as a fraction of the picture's height


class GestureRecognizer:
    """Hands over time -> gestures; see the module docstring. Feed ``update`` every tracked frame."""

    def __init__(self, settings: GestureSettings = GestureSettings(), wanted: Iterable[str] = GESTURES) -> None:
        self.settings = settings
        self.wanted: frozenset[str] = frozenset(wanted)
        self._trail: deque[tuple[float, float, float, float]] = deque()   # t, x, y, palm size
        self._hold: str | None = None
        self._hold_since = 0.0
        self._anchor = (0.0, 0.0)
        self._fired = False
        self._last_seen = -math.inf
        self._last_pose_t = -math.inf
        self._quiet_until = -math.inf
        self._previous: tuple[float, float] | None = None
        self._speed = 0.0            # palm sizes per second over the last SPEED_WINDOW_S
        self._recent: deque[tuple[float, float, float]] = deque()
        self._cue: Cue | None = None
        self.last_pose = ""

    @property
    def cue(self) -> Cue | None:
        """The hold in progress (None when none is)."""
        return self._cue

    def reset(self) -> None:
        """Forget the past (the booth stopped watching, or a new screen began)."""
        self._trail.clear()
        self._hold = None
        self._fired = False
        self._previous = None
        self._speed = 0.0
        self._recent.clear()
        self._cue = None
        self._last_seen = self._last_pose_t = self._quiet_until = -math.inf
        self.last_pose = ""

    def update(self, t: float, hands: Sequence[np.ndarray], size: tuple[int, int]) -> list[str]:
        """One frame's hands ((21, 3) landmarks each, frame pixels) at time ``t``; the gestures it completes."""
        s = self.settings
        if not hands:
            self.last_pose = ""
            if t - self._last_seen > s.gap_s:   # a missed frame or two keeps the hold (and its ring) as it was
                self._trail.clear()
                self._end_hold()
            return []
        self._last_seen = t
        points = self._primary(hands)
        palm = _distance(points[MIDDLE_MCP, :2], points[WRIST, :2])
        x, y = (float(v) for v in points[[0, 5, 9, 13, 17], :2].mean(axis=0))
        self._previous = (x, y)
        self._track_speed(t, x, y, palm)
        fired: list[str] = []
        pose = hand_pose(points)
        self.last_pose = pose
        kind = pose if HOLDS.get(pose) in self.wanted else None
        swipe = self._swipe(t, x, y, palm, size[0])
        if swipe:
            # the hand that swiped must drop before its pose can start a hold (a swipe then a rest is no start)
            self._hold, self._fired, self._cue, self._last_pose_t = kind, True, None, t
            if swipe in self.wanted:
                fired.append(swipe)
            return fired
        steady = self._speed <= s.still_speed and math.dist((x, y), self._anchor) <= s.still * palm
        if kind is not None and kind == self._hold and (steady or self._fired):   # held (or done: drop it first)
            self._last_pose_t = t
        elif kind is not None:   # a new hold, or one that moved
            self._hold, self._hold_since, self._anchor, self._fired = kind, t, (x, y), False
            self._last_pose_t = t
        elif t - self._last_pose_t > s.gap_s:
            self._end_hold()
        if self._hold is None:
            return fired
        needed = s.hold_s if self._hold == "open_palm" else s.thumb_hold_s
        progress = min(1.0, (t - self._hold_since) / needed)
        if progress >= 1.0 and not self._fired:
            self._fired = True
            fired.append(HOLDS[self._hold])
        self._cue = None if self._fired else Cue(self._hold, progress, x / size[0], y / size[1], palm / size[1])
        return fired

    def _primary(self, hands: Sequence[np.ndarray]) -> np.ndarray:
        """The hand to follow: the one nearest the last, else the biggest (nearest the camera)."""
        arrays = [np.asarray(h, np.float32) for h in hands]
        if self._previous is not None and len(arrays) > 1:
            px, py = self._previous
            return min(arrays, key=lambda p: math.dist((px, py), p[[0, 5, 9, 13, 17], :2].mean(axis=0)))
        return max(arrays, key=lambda p: _distance(p[MIDDLE_MCP, :2], p[WRIST, :2]))

    def _track_speed(self, t: float, x: float, y: float, palm: float) -> None:
        """Speed over the last quarter second: steady jitter cancels out, a wave or a walk does not."""
        self._recent.append((t, x, y))
        while len(self._recent) > 2 and t - self._recent[1][0] >= SPEED_WINDOW_S:
            self._recent.popleft()
        t0, x0, y0 = self._recent[0]
        span = t - t0
        self._speed = math.dist((x, y), (x0, y0)) / max(palm, 1e-6) / span if span >= SPEED_WINDOW_S / 2 else 0.0

    def _swipe(self, t: float, x: float, y: float, palm: float, width: int) -> str | None:
        s = self.settings
        self._trail.append((t, x, y, palm))
        while self._trail and t - self._trail[0][0] > s.swipe_s:
            self._trail.popleft()
        if t < self._quiet_until or len(self._trail) < 3:
            return None
        _, x0, y0, _ = self._trail[0]
        dx, dy = x - x0, y - y0
        size = float(np.median([p for *_, p in self._trail]))
        if abs(dx) >= max(s.swipe_palms * size, s.swipe_frame * width) and abs(dy) < 0.6 * abs(dx):
            self._trail.clear()
            self._quiet_until = t + s.cooldown_s
            return "swipe_right" if dx > 0 else "swipe_left"
        return None

    def _end_hold(self) -> None:
        self._hold = None
        self._fired = False
        self._cue = None
