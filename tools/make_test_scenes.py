"""Write ``tests/data/scenes.npz``: meshes and masks of the real-photo test frames.

Until the project's int8 perception is merged, the effect tests need faces, meshes and masks
from a real model on real photos. This runs MediaPipe's float face landmark and selfie
segmentation models (from the mediapipe 0.10.14 wheel, Apache-2.0) on the public-domain
astronaut and Grace Hopper portraits, and on a composite of both, at 640x480::

    python tools/make_test_scenes.py --wheel mediapipe-0.10.14-...whl
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import zipfile
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import facemesh_layout
import make_assets
import photos

OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "scenes.npz"
SEGMENTER = "mediapipe/modules/selfie_segmentation/selfie_segmentation.tflite"


def segment(wheel: Path, image: np.ndarray) -> np.ndarray:
    from ai_edge_litert.interpreter import Interpreter

    with zipfile.ZipFile(wheel) as zf:
        it = Interpreter(model_content=zf.read(SEGMENTER), num_threads=1)
    it.allocate_tensors()
    x = cv2.resize(image, (256, 256), interpolation=cv2.INTER_AREA).astype(np.float32)[None] / 255
    it.set_tensor(it.get_input_details()[0]["index"], x)
    it.invoke()
    m = it.get_tensor(it.get_output_details()[0]["index"])[0, :, :, 0]
    return cv2.resize(m, (image.shape[1], image.shape[0]), interpolation=cv2.INTER_LINEAR).clip(0, 1)


# Rough face squares (cx, cy, size) in each test frame, only to crop for the landmark model,
# which then finds the face itself (two passes).
CROPS = {
    "astronaut": [(280, 156, 212)],
    "grace_hopper": [(327, 254, 325)],
    "two": [(140, 158, 106), (484, 227, 162)],
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or make_assets.fetch_wheel(Path(tmp))
        model = facemesh_layout.LandmarkModel(wheel)
        out: dict[str, np.ndarray] = {}
        for name in photos.NAMES:
            image = np.asarray(photos.frame(name))
            meshes = [model.fit(image, *f) for f in CROPS[name]]
            print(name, "faces:", len(meshes))
            mask = cv2.resize(segment(wheel, image), (320, 240), interpolation=cv2.INTER_AREA)
            out[f"{name}/mask"] = np.round(mask * 255).astype(np.uint8)
            out[f"{name}/meshes"] = np.array(meshes, np.float32).reshape(-1, 468, 3)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(OUT, **out)
    print(f"wrote {OUT} ({OUT.stat().st_size / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
