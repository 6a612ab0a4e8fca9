"""Inputs of the hand models, cut from the hand scenes: what the factory calibrates on and the report checks.

The palm detector sees the scene letterboxed to 192x192. The landmark model sees a
rotated 224x224 crop around each palm the float detector finds (at most two per scene),
its size, centre and angle jittered the way a tracker's crop wobbles; every other crop is
taken as tracking takes it, from the float landmarks of the first.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from tools.modelfactory import faces, hands
from tools.modelfactory.handscenes import HandScene, hand_scenes
from tools.modelfactory.runner import Runner
from tools.modelfactory.scenes import Matte

PALM = "palm_detection_lite"
LANDMARKS = "hand_landmark_lite"
MODELS = (PALM, LANDMARKS)


def scene_models(names: list[str]) -> set[str]:
    """The float models the hand inputs of ``names`` need (landmark crops come from the float palm detector)."""
    return {PALM} if set(names) & set(MODELS) else set()


def add_inputs(inputs: dict[str, list[np.ndarray]], split: str, count: int, float_models: dict[str, bytes],
               matte: Matte, progress: Callable[[str], None] = lambda _: None) -> list[HandScene]:
    """Fill ``inputs`` for the hand models present in ``float_models``; returns the scenes (with joints)."""
    if PALM not in float_models:
        return []
    detector = Runner(float_models[PALM])
    landmarker = Runner(float_models[LANDMARKS]) if LANDMARKS in float_models else None
    rng = np.random.default_rng(len(split) * 2003 + count)
    inputs.setdefault(PALM, [])
    inputs.setdefault(LANDMARKS, [])
    made = []
    for index, scene in enumerate(hand_scenes(split, count, matte)):
        made.append(scene)
        square, scale, (pad_x, pad_y) = faces.letterbox(scene.image, hands.PALM_SIZE)
        x = (square.astype(np.float32) / 255.0)[None]
        inputs[PALM].append(x)
        for palm in hands.decode(*detector(x))[:2]:
            rect = _jittered(hands.palm_rect(palm, _to_picture(scale, pad_x, pad_y)), rng)
            crop = rect.crop(scene.image)
            inputs[LANDMARKS].append((crop.astype(np.float32) / 255.0)[None])
            if landmarker is not None and index % 2:
                points = rect.to_picture(landmarker((crop.astype(np.float32) / 255.0)[None])[0].reshape(21, 3))
                tracked = _jittered(hands.landmarks_rect(points), rng)
                inputs[LANDMARKS].append((tracked.crop(scene.image).astype(np.float32) / 255.0)[None])
        progress(f"{split} hand scene {index + 1}/{count}")
    return made


def _to_picture(scale: float, pad_x: float, pad_y: float) -> Callable[[np.ndarray], np.ndarray]:
    """Detector 0..1 points -> scene pixels, undoing the letterbox."""
    return lambda p: (np.asarray(p) * hands.PALM_SIZE - (pad_x, pad_y)) / scale


def _jittered(rect: hands.HandRect, rng: np.random.Generator) -> hands.HandRect:
    side = rect.side * float(rng.uniform(0.9, 1.12))
    centre = rect.centre + rng.uniform(-0.05, 0.05, 2) * rect.side
    return hands.HandRect(centre, side, rect.angle + float(rng.uniform(-10, 10)))
