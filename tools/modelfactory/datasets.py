"""Per-model input sets (calibration and held-out) cut from the augmented scenes.

Detection sees the whole scene letterboxed to its input (128x128 short range, 192x192 full range);
segmentation sees it resized to its input; landmarks see a rotated face crop around each face the
float detector finds, with the crop's size, centre and angle jittered the way
a tracker's region of interest wobbles. The full-range detector also sees every composed scene
drawn again with its face 24-48 px wide (``scenes.Rescaler``): the far guests it is there for.
The hand models get their own scenes (``handsets``), built when the palm detector is among the
float models.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import cv2
import numpy as np

from magicbooth.perception.regions import Region, scan_regions
from tools.modelfactory import faces, handsets
from tools.modelfactory.runner import Runner
from tools.modelfactory.scenes import SPLIT_SEEDS, Rescaler, Scene, SmallFace, scenes
from tools.modelfactory.specs import SPECS, ModelSpec

LANDMARK_CROP_SCALE = 1.5  # crop side relative to the detector box, as MediaPipe's face ROI
FAR_DETECTOR = "face_detection_full_range"
DETECTORS = tuple(name for name, spec in SPECS.items() if spec.task == "detection")


@dataclass
class Dataset:
    """Normalised float inputs per model name, plus how the scenes were made."""

    split: str
    inputs: dict[str, list[np.ndarray]] = field(default_factory=dict)
    recipes: list[str] = field(default_factory=list)
    small_faces: list[SmallFace] = field(default_factory=list)  # the scenes again with faces 24-48 px wide


def normalise(rgb: np.ndarray, spec: ModelSpec) -> np.ndarray:
    low, high = spec.value_range
    return (rgb.astype(np.float32) * np.float32((high - low) / 255.0) + np.float32(low))[None]


def build(split: str, count: int, float_models: dict[str, bytes],
          progress: Callable[[str], None] = lambda _: None) -> Dataset:
    """Make ``count`` scenes of ``split`` and the inputs each model sees in them."""
    matte_runner = Runner(float_models["selfie_segmentation"])
    detector = Runner(float_models["face_detection_short_range"])
    seg_spec = SPECS["selfie_segmentation"]

    def matte(image: np.ndarray) -> np.ndarray:
        small = cv2.resize(image, seg_spec.size[::-1], interpolation=cv2.INTER_AREA)
        mask = matte_runner(normalise(small, seg_spec))[0][0, :, :, 0]
        return cv2.resize(mask, (image.shape[1], image.shape[0]), interpolation=cv2.INTER_LINEAR)

    rng = np.random.default_rng(len(split) * 1009 + count)
    data = Dataset(split, {name: [] for name in SPECS})
    far = SPECS.get(FAR_DETECTOR) if FAR_DETECTOR in float_models else None   # only when it is being made
    rescale = Rescaler(split, matte, lambda photo: photo_face(detector, photo)) if far is not None else None
    far_rng = np.random.default_rng(SPLIT_SEEDS[split] + 1)  # its own stream: the other inputs stay as they were
    for index, scene in enumerate(scenes(split, count, matte)):
        data.recipes.append(scene.recipe)
        _add_scene(data, scene, detector, rng, set(float_models))
        if far is not None and rescale is not None and scene.draw is not None:
            small = rescale(scene.draw, far_rng)
            data.small_faces.append(small)
            data.inputs[far.name].append(normalise(faces.letterbox(small.image, far.size[0])[0], far))
            data.inputs[far.name].append(normalise(region_input(small.image, face_tile(small), far.size[0]), far))
        progress(f"{split} scene {index + 1}/{count}")
    handsets.add_inputs(data.inputs, split, count, float_models, matte, progress)
    return data


def face_tile(small: SmallFace) -> Region:
    """The scan tile (``magicbooth.perception.regions``) whose centre is nearest the face: where the app finds it."""
    height, width = small.image.shape[:2]
    tiles = [r for r in scan_regions(width, height) if not r.whole]
    return min(tiles, key=lambda r: np.hypot((r.x0 + r.x1) / 2 - small.centre[0], (r.y0 + r.y1) / 2 - small.centre[1]))


def region_input(image: np.ndarray, region: Region, size: int) -> np.ndarray:
    """A scan region of ``image`` letterboxed to ``size`` (a square tile is just resized)."""
    return faces.letterbox(image[region.y0:region.y1, region.x0:region.x1], size)[0]


def photo_face(detector: Runner, photo: np.ndarray) -> np.ndarray:
    """The most confident face in a photo (x_min, y_min, x_max, y_max in pixels), by the float detector."""
    spec = SPECS["face_detection_short_range"]
    square, scale, (pad_x, pad_y) = faces.letterbox(photo, spec.size[0])
    found = faces.decode(*detector(normalise(square, spec)))
    if not found:
        raise ValueError("no face found in a face photo")
    return (found[0].box.reshape(2, 2) * spec.size[0] - (pad_x, pad_y)).reshape(-1) / scale


def _add_scene(data: Dataset, scene: Scene, detector: Runner, rng: np.random.Generator, wanted: set[str]) -> None:
    for name in DETECTORS:
        if name != "face_detection_short_range" and name in wanted:
            other = SPECS[name]
            data.inputs[name].append(normalise(faces.letterbox(scene.image, other.size[0])[0], other))
    spec = SPECS["face_detection_short_range"]
    square, scale, (pad_x, pad_y) = faces.letterbox(scene.image, spec.size[0])
    detector_input = normalise(square, spec)
    data.inputs[spec.name].append(detector_input)
    for name in ("selfie_segmentation", "selfie_segmentation_landscape"):
        seg = SPECS[name]
        resized = cv2.resize(scene.image, seg.size[::-1], interpolation=cv2.INTER_AREA)
        data.inputs[name].append(normalise(resized, seg))
    landmark = SPECS["face_landmark"]
    regressors, logits = detector(detector_input)
    for detection in faces.decode(regressors, logits)[:2]:
        to_scene = lambda p: (np.asarray(p) * spec.size[0] - (pad_x, pad_y)) / scale  # noqa: E731
        box = to_scene(detection.box.reshape(2, 2))
        eyes = to_scene(detection.keypoints[:2])
        side = float(max(box[1] - box[0])) * LANDMARK_CROP_SCALE * float(rng.uniform(0.9, 1.15))
        centre = box.mean(axis=0) + rng.uniform(-0.06, 0.06, 2) * side
        # Right eye (subject's) is keypoint 0 and sits on the image's left: level the line left -> right.
        dx, dy = eyes[1] - eyes[0]
        angle = float(np.degrees(np.arctan2(dy, dx))) + float(rng.uniform(-8, 8))
        crop = faces.face_crop(scene.image, centre, side, angle, landmark.size[0])
        data.inputs[landmark.name].append(normalise(crop, landmark))
