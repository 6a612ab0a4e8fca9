"""Gesture precision, recall and false starts on labelled rendered clips, through the shipped int8 models.

    python tools/eval_gestures.py                      # the full set; writes models_tflite/GESTURES.md
    python tools/eval_gestures.py --clips 2 --out -    # a quick look (2 clips per kind), nothing written
    python tools/eval_gestures.py --record tests/golden/gestures/sequences.npz   # also keep the landmark tracks
    python tools/eval_gestures.py --replay tests/golden/gestures/sequences.npz   # the recognizer on kept tracks

Each clip is a few seconds at 15 fps: a rendered hand (``tools/modelfactory/handrender``) on a
held-out background, alone or beside a person, doing one scripted thing: holding an open palm,
a thumb up or down, swiping left or right (the labelled gestures), or something a guest does
without meaning a gesture: waving hello, an open hand passing by, a fist, pointing, a relaxed
hand, a hand moving around the face, or no hand at all. Every frame goes through the app's own
hand tracker (``magicbooth.perception.hands``: palm detector, hand crop, landmarks, on the
manifest-checked int8 models) and the booth's recognizer (``magicbooth.perception.gestures``),
with every gesture wanted, as if the booth were on the start and review screens at once.
The bundled sample clip (a real person talking, no gestures) is run too.

A clip *fires* a gesture if the recognizer emits it at least once. Precision and recall are per
gesture over clips; the false-start rate is the share of non-gesture clips in which ``start``
fired (and per minute of such footage).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from magicbooth.core.config import Config  # noqa: E402
from magicbooth.core.frames import Frame  # noqa: E402
from magicbooth.perception.gestures import GestureRecognizer  # noqa: E402
from magicbooth.perception.hands import HandTracker, open_tracker  # noqa: E402
from tools.modelfactory import handrender  # noqa: E402
from tools.modelfactory.images import FACE_SOURCES, HELD_OUT_BACKGROUNDS, load_photo  # noqa: E402
from tools.modelfactory.scenes import SCENE_SIZE, _compose, _fit  # noqa: E402

FPS = 15.0
GESTURE_KINDS = {"hold_open_palm": "start", "thumb_up": "keep", "thumb_down": "retake",
                 "swipe_left": "swipe_left", "swipe_right": "swipe_right"}
OTHER_KINDS = ("wave", "open_passing", "fist", "pointing", "relaxed", "near_face", "no_hand")
DEFAULT_CLIPS = 12
REPORT = ROOT / "models_tflite" / "GESTURES.md"


@dataclass
class Clip:
    kind: str
    label: str                      # the gesture meant, or "" for none
    frames: list[np.ndarray] = field(default_factory=list)
    joints: list[np.ndarray | None] = field(default_factory=list)   # ground truth per frame


def _background(rng: np.random.Generator) -> np.ndarray:
    """A held-out background, half the time with a person in it (the face photos, as the factory composes them)."""
    background = load_photo(HELD_OUT_BACKGROUNDS[int(rng.integers(len(HELD_OUT_BACKGROUNDS)))])
    if rng.random() < 0.5:
        person = load_photo(FACE_SOURCES[int(rng.integers(len(FACE_SOURCES)))])
        alpha = _person_alpha(person.image)
        return _compose(rng, person, alpha, background).image
    return _fit(background.image)


def _person_alpha(image: np.ndarray) -> np.ndarray:
    """A soft ellipse standing in for the person matte (the clip only needs the person in the picture)."""
    h, w = image.shape[:2]
    mask = np.zeros((h, w), np.float32)
    cv2.ellipse(mask, (w // 2, int(h * 0.55)), (int(w * 0.36), int(h * 0.5)), 0, 0, 360, 1.0, -1)
    return cv2.GaussianBlur(mask, (0, 0), max(h, w) * 0.03)


def make_clip(kind: str, rng: np.random.Generator) -> Clip:
    """One scripted clip of ``kind`` (a gesture in ``GESTURE_KINDS`` or a non-gesture in ``OTHER_KINDS``)."""
    width, height = SCENE_SIZE
    base = _background(rng)
    left = bool(rng.random() < 0.5)
    scale = float(rng.uniform(5.5, 9.5))              # px per cm: a hand 100-170 px long in 640x480
    skin = handrender.SKIN_TONES[int(rng.integers(len(handrender.SKIN_TONES)))]
    sleeve = handrender.SLEEVES[int(rng.integers(len(handrender.SLEEVES)))]
    light = handrender._unit(np.array([rng.uniform(-0.5, 0.5), rng.uniform(0.2, 0.6), 0.8]))
    palm_px = 8.9 * scale
    label = GESTURE_KINDS.get(kind, "")
    seconds = 2.4
    pose_name = {"hold_open_palm": "open_palm", "thumb_up": "thumb_up", "thumb_down": "thumb_down",
                 "swipe_left": "open_palm", "swipe_right": "open_palm", "wave": "open_palm",
                 "open_passing": "open_palm", "fist": "fist", "pointing": "pointing", "relaxed": "relaxed",
                 "near_face": "relaxed"}.get(kind)
    start = np.array([rng.uniform(0.3, 0.7) * width, rng.uniform(0.6, 0.85) * height])
    turn = handrender.facing(pose_name, rng, 0.6, left) if pose_name else None
    pose = handrender.pose(pose_name, rng, 5.0, left) if pose_name else None
    clip = Clip(kind, label)
    frames = int(seconds * FPS)
    for i in range(frames):
        t = i / FPS
        wrist = start.copy()
        tremor = rng.normal(0, 0.02 * palm_px, 2)
        roll = 0.0
        if kind in ("swipe_left", "swipe_right"):
            # rest 0.6 s, sweep 0.45 of the width in 0.4 s, rest
            sign = -1 if kind == "swipe_left" else 1
            wrist[0] = width * (0.5 - sign * 0.22)
            progress = min(1.0, max(0.0, (t - 0.6) / 0.4))
            wrist[0] += sign * 0.45 * width * (0.5 - 0.5 * math.cos(math.pi * progress))
        elif kind == "wave":
            roll = 18.0 * math.sin(2 * math.pi * 2.0 * t)          # a hello: the hand rocks from the wrist
            wrist[0] += 0.4 * palm_px * math.sin(2 * math.pi * 2.0 * t)
        elif kind == "open_passing":
            wrist[0] = width * 0.15 + (width * 0.7) * t / seconds  # an open hand crossing slowly
        elif kind in ("relaxed", "pointing", "fist"):
            wrist += np.array([math.sin(t * 1.3), math.cos(t * 0.9)]) * 0.5 * palm_px
        elif kind == "near_face":
            wrist = np.array([width * 0.5 + 0.8 * palm_px * math.sin(t * 1.7), height * 0.55])
        if kind in ("hold_open_palm", "thumb_up", "thumb_down") and t < 0.3:
            clip.frames.append(base.copy())   # the hand comes up a moment after the clip starts
            clip.joints.append(None)
            continue
        if pose is None or turn is None:
            clip.frames.append(base.copy())
            clip.joints.append(None)
            continue
        rotated = handrender.rotation((0, 0, 1), roll) @ turn
        hand = handrender.render(pose, rotated, scale=scale, wrist=(float(wrist[0] + tremor[0]),
                                 float(wrist[1] + tremor[1])), size=SCENE_SIZE, rng=rng, skin=skin, sleeve=sleeve,
                                 light=light)
        image = handrender.composite(base, hand) + rng.normal(0, 3.0, base.shape)
        clip.frames.append(np.clip(image, 0, 255).astype(np.uint8))
        clip.joints.append(hand.joints)
    return clip


def track(clip_frames: list[np.ndarray], tracker: HandTracker, fps: float = FPS) -> list[list[np.ndarray]]:
    """Landmarks of the hands the app's tracker finds in each frame."""
    tracker.reset()
    out = []
    for i, image in enumerate(clip_frames):
        seen = tracker.update(Frame(image, i / fps, i))
        out.append([h.points for h in seen.hands])
    return out


def recognise(tracks: list[list[np.ndarray]], size: tuple[int, int], fps: float = FPS) -> list[str]:
    """Every gesture the booth's recognizer fires over one clip's tracks."""
    recognizer = GestureRecognizer()
    fired: list[str] = []
    for i, hands in enumerate(tracks):
        fired += recognizer.update(i / fps, hands, size)
    return fired


def sample_clip_frames(limit: int) -> list[np.ndarray]:
    """The bundled sample clip (a real person, no gestures), up to ``limit`` frames."""
    from magicbooth.camera import FileSource, sample_path

    frames = []
    with FileSource(sample_path(), realtime=False, loop=False) as source:
        while len(frames) < limit:
            frame = source.read()
            if frame is None:
                break
            frames.append(frame.image)
    return frames


def evaluate(clips_per_kind: int, seed: int, record: Path | None, say) -> dict:
    tracker = open_tracker(Config())
    rng = np.random.default_rng(seed)
    rows = []
    recorded: dict[str, np.ndarray] = {}
    kinds = [*GESTURE_KINDS, *OTHER_KINDS]
    for kind in kinds:
        for n in range(clips_per_kind):
            clip = make_clip(kind, rng)
            tracks = track(clip.frames, tracker)
            fired = recognise(tracks, SCENE_SIZE)
            rows.append({"kind": kind, "label": clip.label, "fired": fired,
                         "frames_with_hand": sum(bool(t) for t in tracks), "frames": len(tracks)})
            say(f"{kind} #{n + 1}: fired {fired or 'nothing'} ({rows[-1]['frames_with_hand']}/{len(tracks)} frames "
                "with a hand)")
            if record is not None:
                recorded[f"{kind}_{n}"] = _pack(tracks)
    sample = sample_clip_frames(450)
    sample_tracks = track(sample, tracker, fps=30.0)
    sample_fired = recognise(sample_tracks, (sample[0].shape[1], sample[0].shape[0]), fps=30.0)
    say(f"sample clip ({len(sample)} frames at 30 fps): fired {sample_fired or 'nothing'}")
    if record is not None:
        record.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(record, fps=np.float32(FPS), sample=_pack(sample_tracks), sample_fps=np.float32(30.0),
                            sample_size=np.array(sample[0].shape[1::-1], np.int32), **recorded)
        say(f"recorded {len(recorded)} landmark tracks to {record}")
    return {"rows": rows, "sample": {"frames": len(sample), "seconds": len(sample) / 30.0, "fired": sample_fired}}


def replay(path: Path) -> dict:
    """The recognizer alone on tracks kept by ``--record`` (seconds instead of minutes; same table)."""
    data = np.load(path)
    fps = float(data["fps"])
    rows = []
    for key in data.files:
        kind = key.rsplit("_", 1)[0]
        if kind not in GESTURE_KINDS and kind not in OTHER_KINDS:
            continue
        tracks = unpack(data[key])
        rows.append({"kind": kind, "label": GESTURE_KINDS.get(kind, ""), "fired": recognise(tracks, SCENE_SIZE, fps),
                     "frames_with_hand": sum(bool(t) for t in tracks), "frames": len(tracks)})
    sample = unpack(data["sample"])
    size = tuple(int(v) for v in data["sample_size"])
    sample_fps = float(data["sample_fps"])
    return {"rows": rows, "sample": {"frames": len(sample), "seconds": len(sample) / sample_fps,
                                     "fired": recognise(sample, size, sample_fps)}}  # type: ignore[arg-type]


def _pack(tracks: list[list[np.ndarray]]) -> np.ndarray:
    """Tracks as one array: (frames, 2, 21, 3), NaN where no hand."""
    out = np.full((len(tracks), 2, 21, 3), np.nan, np.float32)
    for i, hands in enumerate(tracks):
        for j, points in enumerate(hands[:2]):
            out[i, j] = points
    return out


def unpack(array: np.ndarray) -> list[list[np.ndarray]]:
    """Tracks back from ``_pack``'s array."""
    return [[hand for hand in frame if not np.isnan(hand).any()] for frame in array]


def summarise(result: dict) -> dict:
    rows = result["rows"]
    table = {}
    for gesture in ("start", "keep", "retake", "swipe_left", "swipe_right"):
        fired = [r for r in rows if gesture in r["fired"]]
        labelled = [r for r in rows if r["label"] == gesture]
        hits = [r for r in labelled if gesture in r["fired"]]
        table[gesture] = {"labelled": len(labelled), "fired": len(fired), "correct": len([r for r in fired
                                                                                          if r["label"] == gesture]),
                          "precision": len([r for r in fired if r["label"] == gesture]) / len(fired) if fired
                          else float("nan"),
                          "recall": len(hits) / len(labelled) if labelled else float("nan")}
    others = [r for r in rows if not r["label"]]
    seconds = sum(r["frames"] for r in others) / FPS + result["sample"]["seconds"]
    false_starts = [r for r in others if "start" in r["fired"]] + ([1] if "start" in result["sample"]["fired"] else [])
    any_false = [r for r in others if r["fired"]] + ([1] if result["sample"]["fired"] else [])
    return {"gestures": table, "non_gesture_clips": len(others) + 1, "non_gesture_seconds": seconds,
            "sample_seconds": result["sample"]["seconds"],
            "false_starts": len(false_starts), "false_any": len(any_false),
            "by_kind": {k: sum(1 for r in others if r["kind"] == k and r["fired"]) for k in OTHER_KINDS},
            "kinds": {k: {"clips": len(of), "hand_frames": sum(r["frames_with_hand"] for r in of) / max(
                1, sum(r["frames"] for r in of)), "fired": sum(1 for r in of if r["fired"])}
                for k in [*GESTURE_KINDS, *OTHER_KINDS] if (of := [r for r in rows if r["kind"] == k])}}


def markdown(summary: dict, clips: int, seed: int, elapsed: float) -> str:
    g = summary["gestures"]
    lines = ["# Gesture evaluation", "",
             f"Written by `python tools/eval_gestures.py` ({clips} clips per kind, seed {seed}, {elapsed:.0f} s). "
             "Clips are rendered hands (`tools/modelfactory/handrender.py`) on held-out backgrounds at 15 fps, "
             "through the app's hand tracker on the shipped int8 models and the booth's gesture recognizer; "
             f"the non-gesture set adds the bundled sample clip (a real person, {summary['sample_seconds']:.0f} s at "
             "30 fps).", "",
             "| gesture | labelled clips | clips where it fired | correct | precision | recall |",
             "| --- | --- | --- | --- | --- | --- |"]
    for name, row in g.items():
        lines.append(f"| {name} | {row['labelled']} | {row['fired']} | {row['correct']} | {row['precision']:.2f} | "
                     f"{row['recall']:.2f} |")
    n = summary["non_gesture_clips"]
    minutes = summary["non_gesture_seconds"] / 60
    lines += ["", f"Non-gesture clips: {n} ({summary['non_gesture_seconds']:.0f} s: "
              + ", ".join(f"{k}" for k in OTHER_KINDS) + ", the sample clip).", "",
              f"- **false starts**: {summary['false_starts']} of {n} clips ({summary['false_starts'] / n:.1%}), "
              f"{summary['false_starts'] / minutes:.2f} per minute of non-gesture footage",
              f"- any gesture fired: {summary['false_any']} of {n} clips; by kind: "
              + ", ".join(f"{k} {v}" for k, v in summary["by_kind"].items()), "",
              "Where it falls short, per kind of clip: the share of frames in which the tracker found a hand (the "
              "hand is up from 0.3 s on in the hold clips, so 86 % is all of them), and the clips that fired "
              "anything. A gesture that is found but not fired is the rules (or the landmarks they read); one "
              "that is not found is the palm detector on these renders.", "",
              "| kind | clips | frames with a hand | clips that fired |", "| --- | --- | --- | --- |"]
    lines += [f"| {k} | {v['clips']} | {v['hand_frames']:.0%} | {v['fired']} |" for k, v in summary["kinds"].items()]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=DEFAULT_CLIPS, help="clips per kind (default %(default)s)")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--out", default=str(REPORT), help="markdown report ('-' prints only)")
    parser.add_argument("--record", type=Path, help="also save every clip's landmark tracks (npz) here")
    parser.add_argument("--replay", type=Path, help="run the recognizer on tracks saved by --record (no rendering)")
    args = parser.parse_args(argv)
    cv2.setNumThreads(1)
    began = time.monotonic()
    say = lambda text: print(f"[{time.monotonic() - began:6.1f}s] {text}", flush=True)  # noqa: E731
    if args.replay is not None:
        result = replay(args.replay)
        clips = max(1, len(result["rows"]) // (len(GESTURE_KINDS) + len(OTHER_KINDS)))
    else:
        result, clips = evaluate(args.clips, args.seed, args.record, say), args.clips
    summary = summarise(result)
    text = markdown(summary, clips, args.seed, time.monotonic() - began)
    if args.replay is not None:
        text = text.replace("Written by `python tools/eval_gestures.py`",
                            f"Written by `python tools/eval_gestures.py --replay {args.replay}` (the recognizer on "
                            "landmark tracks recorded earlier by `--record`)", 1)
    print(text)
    if args.out != "-":
        Path(args.out).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
