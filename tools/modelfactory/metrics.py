"""Accuracy of an int8 model against its float reference, per task, on one input set.

- detection: per float detection (score >= threshold) the best-overlapping int8
  detection; box IoU, keypoint error / inter-ocular distance, score difference,
  recall = share of float detections the int8 model also reports (IoU >= 0.5);
- landmarks: NME = mean point distance (x, y) / inter-ocular distance (outer eye corners);
- palm detection: as detection, keypoint error over the palm size (float wrist to middle knuckle);
- hand landmarks: mean point distance (x, y) / palm size (float wrist to middle MCP, points 0 and 9),
  on the crops where the float model sees a hand (presence >= 0.5), and the presence difference;
- segmentation: IoU of the masks thresholded at 0.5 (per image, and pooled over all
  pixels), mean absolute difference of the probabilities.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

import numpy as np

from tools.modelfactory import faces, hands
from tools.modelfactory.specs import ModelSpec

DETECTION_THRESHOLD = 0.5  # the app's min score (MediaPipe's default for this detector)
MATCH_IOU = 0.5
OUTER_EYE_CORNERS = (33, 263)  # face mesh indices

Model = Callable[[np.ndarray], list[np.ndarray]]


def detection(reference: Model, candidate: Model, inputs: Sequence[np.ndarray], *,
              size: int = faces.DETECTOR_SIZE, layout: faces.Layout = faces.SHORT_RANGE) -> dict[str, float]:
    ious, keypoints, score_diffs, found, total, missed = [], [], [], 0, 0, []
    grid = {"size": size, "layout": layout}
    for x in inputs:
        wanted = faces.decode(*reference(x), threshold=DETECTION_THRESHOLD, **grid)
        got = faces.decode(*candidate(x), threshold=DETECTION_THRESHOLD, **grid)
        loose = faces.decode(*candidate(x), threshold=0.0, **grid)[:20]  # for score comparison below threshold
        for face in wanted:
            total += 1
            best = max(got, key=lambda d, f=face: faces.box_iou(f.box, d.box), default=None)
            iou = faces.box_iou(face.box, best.box) if best is not None else 0.0
            ious.append(iou)
            if best is None or iou < MATCH_IOU:
                missed.append(face.score)
            if best is not None and iou >= MATCH_IOU:
                found += 1
                keypoints.append(float(np.linalg.norm(face.keypoints - best.keypoints, axis=1).mean())
                                 / max(face.eye_distance, 1e-6))
            near = max(loose, key=lambda d, f=face: faces.box_iou(f.box, d.box), default=None)
            score_diffs.append(abs(face.score - near.score) if near is not None else face.score)
    return {
        "faces": float(total),
        "box_iou_mean": _mean(ious),
        "box_iou_min": min(ious, default=float("nan")),
        "keypoint_error_mean": _mean(keypoints),
        "keypoint_error_max": max(keypoints, default=float("nan")),
        "score_diff_mean": _mean(score_diffs),
        "score_diff_max": max(score_diffs, default=float("nan")),
        "recall": found / total if total else float("nan"),
        "missed_float_score_max": max(missed, default=float("nan")),  # how sure float was of what int8 missed
    }


def landmarks(reference: Model, candidate: Model, inputs: Sequence[np.ndarray]) -> dict[str, float]:
    errors, flags = [], []
    for x in inputs:
        (ref_points, ref_flag), (got_points, got_flag) = reference(x), candidate(x)
        a = ref_points.reshape(-1, 3)[:, :2]
        b = got_points.reshape(-1, 3)[:, :2]
        inter_ocular = float(np.linalg.norm(a[OUTER_EYE_CORNERS[0]] - a[OUTER_EYE_CORNERS[1]]))
        errors.append(float(np.linalg.norm(a - b, axis=1).mean()) / max(inter_ocular, 1e-6))
        flags.append(abs(_sigmoid(float(ref_flag.reshape(-1)[0])) - _sigmoid(float(got_flag.reshape(-1)[0]))))
    return {"crops": float(len(errors)), "nme_mean": _mean(errors), "nme_max": max(errors, default=float("nan")),
            "face_flag_diff_mean": _mean(flags)}


def segmentation(reference: Model, candidate: Model, inputs: Sequence[np.ndarray]) -> dict[str, float]:
    ious, mads, inter_total, union_total = [], [], 0, 0
    for x in inputs:
        a, b = reference(x)[0], candidate(x)[0]
        ma, mb = a > 0.5, b > 0.5
        inter, union = int((ma & mb).sum()), int((ma | mb).sum())
        inter_total += inter
        union_total += union
        ious.append(inter / union if union else 1.0)
        mads.append(float(np.abs(a - b).mean()))
    return {"images": float(len(ious)), "mask_iou_mean": _mean(ious), "mask_iou_min": min(ious, default=float("nan")),
            "mask_iou_pooled": inter_total / union_total if union_total else 1.0, "mad_mean": _mean(mads)}


def palm_detection(reference: Model, candidate: Model, inputs: Sequence[np.ndarray]) -> dict[str, float]:
    ious, keypoints, score_diffs, found, total, missed = [], [], [], 0, 0, []
    confident, confident_found = 0, 0
    for x in inputs:
        wanted = hands.decode(*reference(x), threshold=DETECTION_THRESHOLD)
        got = hands.decode(*candidate(x), threshold=DETECTION_THRESHOLD)
        loose = hands.decode(*candidate(x), threshold=0.0)[:20]
        for palm in wanted:
            total += 1
            best = max(got, key=lambda d, p=palm: faces.box_iou(p.box, d.box), default=None)
            iou = faces.box_iou(palm.box, best.box) if best is not None else 0.0
            ious.append(iou)
            confident += palm.score >= CONFIDENT_PALM
            if best is None or iou < MATCH_IOU:
                missed.append(palm.score)
            else:
                found += 1
                confident_found += palm.score >= CONFIDENT_PALM
                keypoints.append(float(np.linalg.norm(palm.keypoints - best.keypoints, axis=1).mean())
                                 / max(palm.size, 1e-6))
            near = max(loose, key=lambda d, p=palm: faces.box_iou(p.box, d.box), default=None)
            score_diffs.append(abs(palm.score - near.score) if near is not None else palm.score)
    return {
        "palms": float(total),
        "box_iou_mean": _mean(ious),
        "box_iou_min": min(ious, default=float("nan")),
        "keypoint_error_mean": _mean(keypoints),
        "keypoint_error_max": max(keypoints, default=float("nan")),
        "score_diff_mean": _mean(score_diffs),
        "recall": found / total if total else float("nan"),
        "missed_float_score_max": max(missed, default=float("nan")),
        "confident_palms": float(confident),   # float score >= CONFIDENT_PALM: not a coin toss at the threshold
        "recall_confident": confident_found / confident if confident else float("nan"),
    }


CONFIDENT_PALM = 0.7
HAND_PRESENCE = 0.5


def hand_landmarks(reference: Model, candidate: Model, inputs: Sequence[np.ndarray]) -> dict[str, float]:
    errors, flags, skipped = [], [], 0
    for x in inputs:
        (ref_points, ref_flag, *_), (got_points, got_flag, *_) = reference(x), candidate(x)
        flags.append(abs(float(ref_flag.reshape(-1)[0]) - float(got_flag.reshape(-1)[0])))
        if float(ref_flag.reshape(-1)[0]) < HAND_PRESENCE:
            skipped += 1
            continue
        a = ref_points.reshape(-1, 3)[:, :2]
        b = got_points.reshape(-1, 3)[:, :2]
        palm = float(np.linalg.norm(a[9] - a[0]))
        errors.append(float(np.linalg.norm(a - b, axis=1).mean()) / max(palm, 1e-6))
    return {"crops": float(len(errors)), "crops_without_hand": float(skipped),
            "landmark_error_mean": _mean(errors), "landmark_error_max": max(errors, default=float("nan")),
            "presence_diff_mean": _mean(flags)}


TASKS = {"detection": detection, "landmarks": landmarks, "segmentation": segmentation,
         "palm_detection": palm_detection, "hand_landmarks": hand_landmarks}


def for_spec(spec: ModelSpec) -> Callable[[Model, Model, Sequence[np.ndarray]], dict[str, float]]:
    """The metric of ``spec``'s task; a detector's with its own input size and anchor grid."""
    if spec.task == "detection":
        return functools.partial(detection, size=spec.size[0], layout=spec.anchors)
    return TASKS[spec.task]


def _mean(values: Sequence[float]) -> float:
    return float(np.mean(values)) if len(values) else float("nan")


def _sigmoid(x: float) -> float:
    return float(1 / (1 + np.exp(-np.clip(x, -60, 60))))
