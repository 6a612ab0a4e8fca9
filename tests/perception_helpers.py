"""Shared inputs for the perception tests: public-domain photos and synthetic clips."""

from __future__ import annotations

import math

import cv2
import numpy as np

from magicbooth.core.frames import Frame


def astronaut() -> np.ndarray:
    """scikit-image's astronaut (Eileen Collins, NASA, public domain), 512×512 RGB."""
    from skimage import data

    return np.ascontiguousarray(data.astronaut())


def grace_hopper() -> np.ndarray:
    """matplotlib's grace_hopper sample (US Navy, public domain), 512×600 RGB."""
    import matplotlib.cbook as cbook
    import matplotlib.image as mpimg

    with cbook.get_sample_data("grace_hopper.jpg") as handle:
        return np.ascontiguousarray(mpimg.imread(handle)[..., :3])


def rocket() -> np.ndarray:
    """scikit-image's rocket launch photo: no person in it."""
    from skimage import data

    return np.ascontiguousarray(data.rocket())


def frame(image: np.ndarray, index: int = 0, t: float | None = None) -> Frame:
    return Frame(image, index / 30 if t is None else t, index)


def rotated(image: np.ndarray, centre: tuple[float, float], degrees: float) -> tuple[np.ndarray, np.ndarray]:
    """The image turned by ``degrees`` (counter-clockwise on screen) about ``centre``, and the 2×3 matrix."""
    matrix = cv2.getRotationMatrix2D(centre, degrees, 1.0)
    h, w = image.shape[:2]
    return cv2.warpAffine(image, matrix, (w, h), borderMode=cv2.BORDER_REFLECT101), matrix


def moving_face_clip(count: int, size: tuple[int, int] = (640, 480)) -> tuple[list[Frame], np.ndarray]:
    """The astronaut's head and shoulders gliding across a grey frame; returns frames and the face offsets."""
    photo = astronaut()[20:300, 120:380]  # head and shoulders, 260×280
    w, h = size
    frames, offsets = [], []
    for i in range(count):
        x = int(40 + (w - 260 - 80) * (0.5 - 0.5 * math.cos(math.pi * i / (count - 1))))
        y = int(60 + 40 * math.sin(2 * math.pi * i / count))
        image = np.full((h, w, 3), 128, np.uint8)
        image[y:y + 280, x:x + 260] = photo
        frames.append(Frame(image, i / 30, i))
        offsets.append((x - 120, y - 20))  # where the original photo's origin lands
    return frames, np.array(offsets, np.float32)


def nme(points: np.ndarray, reference: np.ndarray) -> float:
    """Mean point error over the reference's outer-eye-corner distance."""
    eyes = float(np.linalg.norm(reference[263, :2] - reference[33, :2]))
    return float(np.linalg.norm(points[:, :2] - reference[:, :2], axis=1).mean() / eyes)
