"""What each shipped model is: where it comes from, its input contract and what its outputs mean."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ModelSpec:
    """Static facts about one model; the manifest is written from these plus measured hashes."""

    name: str
    member: str  # path inside the mediapipe wheel
    task: str  # "detection" | "landmarks" | "segmentation" | "palm_detection" | "hand_landmarks"
    size: tuple[int, int]  # input (height, width)
    value_range: tuple[float, float]  # RGB pixel 0..255 maps linearly onto this range
    inputs: tuple[str, ...]
    outputs: tuple[tuple[str, str], ...]  # (signature name, meaning)
    # int8 model I/O where uint8 pixels map onto the int8 grid by a bit flip (range 0..1, first op int8); float
    # I/O for -1..1 inputs (they would need quantizing in numpy) and for float-stem models (all shipped ones).
    int8_io: bool = True
    # Op kinds computed in float32 inside the int8 graph (DEQUANTIZE -> op -> QUANTIZE, one XNNPACK partition),
    # used where the model measured faster or more accurate so (on x86 XNNPACK's int8 depthwise convolutions take
    # about 1.5x their float time: REPORT.md's per-op-kind tables); a kind with a rewrite pass skips it.
    float_ops: tuple[str, ...] = ()
    # The output head (the last convolutions and the RESHAPE/CONCATENATION after them) in float32: small
    # layers whose int8 rounding lands straight on box coordinates and score logits.
    float_head: bool = False
    # The first N ops in graph order in float32 (the high-resolution blocks, where int8 loses most accuracy).
    float_stem: int = 0
    # The ops that only see 1x1 tensors in float32: the squeeze-and-excite branches after each spatial MEAN
    # (two convolutions and a sigmoid on a few dozen values). Per-tensor int8 wrecks those few values (the
    # squeeze convolutions were the largest error sources), and in float they cost next to nothing.
    float_squeeze: bool = False
    # The last N ops in graph order in float32 (where int8 rounding is amplified just before the outputs).
    float_tail: int = 0
    # What the output head is made of, for the manifest.
    head: str = "convolutions, RESHAPE and CONCATENATION"
    # Detection: the SSD anchor grid as (stride, anchors per cell), in the order the model emits its rows.
    anchors: tuple[tuple[int, int], ...] = ()

    @property
    def normalisation(self) -> str:
        low, high = self.value_range
        return f"RGB, pixel / 255 * {high - low:g} + {low:g} (range {low:g}..{high:g})"


SPECS: dict[str, ModelSpec] = {spec.name: spec for spec in (
    ModelSpec(
        name="face_detection_short_range",
        member="mediapipe/modules/face_detection/face_detection_short_range.tflite",
        task="detection",
        size=(128, 128),
        value_range=(-1.0, 1.0),
        int8_io=False,
        # Head and stem float, chosen on the tuning split (calibration backgrounds, other draws) against head
        # only: box IoU 0.866 -> 0.911, keypoint error 0.054 -> 0.052, recall 39/43 -> 41/43. Cost: x86
        # int8/float 0.91 -> 1.00; Cortex-A72 22.0 M -> 18.9 M instructions, A76 12.0 M -> 16.0 M.
        float_head=True,
        float_stem=12,
        anchors=((8, 2), (16, 6)),
        inputs=("image",),
        outputs=(
            ("regressors", "[1, 896, 16] per anchor: box centre dx, dy, w, h then 6 keypoints (x, y), in input "
                           "pixels relative to the anchor centre (anchors: strides 8, 16, 16, 16; 2 per cell at "
                           "stride 8, 6 at stride 16); keypoints right_eye, left_eye, nose_tip, mouth_center, "
                           "right_ear_tragion, left_ear_tragion"),
            ("classificators", "[1, 896, 1] per anchor face score logit; sigmoid gives 0..1"),
        ),
    ),
    ModelSpec(
        name="face_detection_full_range",
        # The sparse variant is the one the wheel ships: its block-sparse weights are densified on load.
        member="mediapipe/modules/face_detection/face_detection_full_range_sparse.tflite",
        task="detection",
        size=(192, 192),
        value_range=(-1.0, 1.0),
        int8_io=False,
        # Chosen on the tuning split (60 scenes, each also with its face 24-48 px wide: 129 float detections),
        # box IoU / keypoint error / recall: head and stem float as the short-range detector 0.647 / 0.226 /
        # 0.736 (nothing float 0.625 / 0.248 / 0.721; min/max ranges 0.636 / 0.342 / 0.775; no equalization
        # 0.690 / 0.248 / 0.798). The loss sits in the last FPN level: the 1x1 lateral convolution at 24x24, the
        # bilinear upsampling and its ADD to the stride-4 features, whose rounding noise the next depthwise
        # convolution amplifies about 5x (relative error 0.11 -> 0.63). Float from there on: last 16 ops 0.744 /
        # 0.227 / 0.853, last 20 0.919 / 0.106 / 0.969, last 24 0.940 / 0.087 / 0.985 (28 or 36: no better).
        # Cost, instructions per invoke: Cortex-A72 60.2 M, A76 44.4 M (head and stem only 60.4 M / 42.9 M;
        # float 61.4 M / 60.0 M). Without the stem: 0.918 / 0.100 / 0.969, 64.6 M / 40.1 M.
        float_head=True,
        float_stem=12,
        float_tail=24,
        head="convolutions, PAD, stride-2 depthwise convolutions, DEPTH_TO_SPACE and RESHAPE",
        anchors=((4, 1),),
        inputs=("image",),
        outputs=(
            ("regressors", "[1, 2304, 16] per anchor: box centre dx, dy, w, h then 6 keypoints (x, y), in input "
                           "pixels relative to the anchor centre (anchors: stride 4, one per cell of the 48x48 "
                           "grid); keypoints right_eye, left_eye, nose_tip, mouth_center, right_ear_tragion, "
                           "left_ear_tragion"),
            ("classificators", "[1, 2304, 1] per anchor face score logit; sigmoid gives 0..1"),
        ),
    ),
    ModelSpec(
        name="face_landmark",
        member="mediapipe/modules/face_landmark/face_landmark.tflite",
        task="landmarks",
        size=(192, 192),
        value_range=(0.0, 1.0),
        # int8 PReLU as `a*x + relu((1-a)*x)`: 143 ops, 1.58x float time on x86, 31.3 M A72 / 21.7 M A76
        # instructions; float PReLU islands: 1.25x, 28.0 M / 18.4 M, same accuracy.
        # The depthwise convolutions and residual ADDs float too: every PReLU sits between them, so the islands
        # merge and only the 1x1/3x3 convolutions (where int8 gains) pay a QUANTIZE/DEQUANTIZE. On the tuning
        # split against PReLU islands alone: NME 0.0071 -> 0.0060, x86 int8/float 1.06 -> 0.89, Cortex-A72
        # 23.8 M -> 23.3 M, A76 19.2 M -> 18.7 M (PReLU and ADD only: 0.0064, 1.00, 23.0 M, 18.4 M).
        float_ops=("PRELU", "DEPTHWISE_CONV_2D", "ADD"),
        # And the first 12 ops float (the 96x96 blocks), on the tuning split: NME 0.0083 -> 0.0071, x86
        # int8/float 1.21 -> 1.03, Cortex-A72 27.9 M -> 23.8 M (float 22.9 M), A76 18.3 M -> 19.2 M (22.5 M).
        # Without the stem (all three island kinds): NME 0.0069, 0.89, 27.0 M, 17.4 M.
        float_stem=12,
        int8_io=False,
        inputs=("image",),
        outputs=(
            ("landmarks", "[1, 1, 1, 1404] 468 points (x, y, z) in input pixels; z is relative depth at x scale"),
            ("face_flag", "[1, 1, 1, 1] face presence logit; sigmoid gives 0..1"),
        ),
    ),
    ModelSpec(
        name="selfie_segmentation",
        member="mediapipe/modules/selfie_segmentation/selfie_segmentation.tflite",
        task="segmentation",
        size=(256, 256),
        value_range=(0.0, 1.0),
        # The first 12 ops (128x128 and 64x64) float, chosen on the tuning split: mask IoU 0.886 -> 0.915
        # (first 24: 0.924, 36: 0.932); x86 int8/float 0.79 -> 0.87, Cortex-A72 49.7 M -> 45.8 M instructions
        # (float 40.7 M), A76 32.2 M -> 36.2 M (float 40.2 M). A float first op takes float model I/O.
        float_stem=12,
        # Squeeze-and-excite branches float, on the tuning split: mask IoU 0.915 -> 0.920 (pooled 0.946 ->
        # 0.952), x86 int8/float 0.86 -> 0.87, Cortex-A72 / A76 +0.01 M. Their MEANs float as well: 0.925,
        # but 0.90 and +0.6 M (and landscape 0.916 against 0.929 without), so the MEANs stay int8.
        float_squeeze=True,
        int8_io=False,
        inputs=("image",),
        outputs=(("mask", "[1, 256, 256, 1] person probability 0..1 (sigmoid applied)"),),
    ),
    ModelSpec(
        name="selfie_segmentation_landscape",
        member="mediapipe/modules/selfie_segmentation/selfie_segmentation_landscape.tflite",
        task="segmentation",
        size=(144, 256),
        value_range=(0.0, 1.0),
        # As the general model: tuning mask IoU 0.880 -> 0.900; Cortex-A72 28.0 M -> 25.8 M, A76 18.1 M -> 20.4 M.
        float_stem=12,
        # Squeeze-and-excite branches float: tuning mask IoU 0.900 -> 0.929 (pooled 0.943 -> 0.964), x86 0.89 -> 0.90.
        float_squeeze=True,
        int8_io=False,
        inputs=("image",),
        outputs=(("mask", "[1, 144, 256, 1] person probability 0..1 (sigmoid applied)"),),
    ),
    ModelSpec(
        name="palm_detection_lite",
        member="mediapipe/modules/palm_detection/palm_detection_lite.tflite",
        task="palm_detection",
        size=(192, 192),
        value_range=(0.0, 1.0),
        # (The tuning figures below were measured on the hand renders before SIGMA_CM became 0.15 cm.)
        # PReLU has no int8 form XNNPACK takes (REPORT.md's notes): float islands, as in the face mesh, and with
        # them the depthwise convolutions and residual ADDs between the PReLUs (only the 1x1 convolutions pay a
        # QUANTIZE/DEQUANTIZE). On the tuning split (80 calibration scenes, 35 float palms) against PReLU islands
        # alone: box IoU 0.71 -> 0.83, keypoint error 0.137 -> 0.072, recall 0.86 -> 0.91, x86 int8/float 0.75 ->
        # 0.74. Also RESIZE_BILINEAR, PAD and MAX_POOL_2D float: 0.84 / 0.080 / 0.94 but 1.12x float time.
        float_ops=("PRELU", "DEPTHWISE_CONV_2D", "ADD"),
        float_head=True,
        # And the first 12 ops (the 96x96 blocks) float, on a larger tuning split (160 calibration scenes, 80 tuning
        # scenes, 66 float palms): box IoU 0.835 -> 0.860, keypoint error 0.075 -> 0.061, recall 0.924 -> 0.939; the
        # first 24: 0.857 / 0.056 / 0.924. Min/max instead of least-error ranges with the stem: 0.790 / 0.089 / 0.909.
        float_stem=12,
        int8_io=False,
        inputs=("image",),
        outputs=(
            ("regressors", "[1, 2016, 18] per anchor: box centre dx, dy, w, h then 7 keypoints (x, y), in input "
                           "pixels relative to the anchor centre (anchors: strides 8, 16, 16, 16; 2 per cell at "
                           "stride 8, 6 at stride 16); keypoints wrist, index, middle, ring and pinky knuckles (MCP), "
                           "thumb CMC, thumb MCP"),
            ("classificators", "[1, 2016, 1] per anchor palm score logit; sigmoid gives 0..1"),
        ),
    ),
    ModelSpec(
        name="hand_landmark_lite",
        member="mediapipe/modules/hand_landmark/hand_landmark_lite.tflite",
        task="hand_landmarks",
        size=(224, 224),
        value_range=(0.0, 1.0),
        # The first 12 ops float, on the tuning split (49 crops, 40 with a hand; renders before SIGMA_CM = 0.15):
        # landmark error / palm size 0.026 -> 0.017, x86 int8/float 0.77 -> 0.76.
        float_stem=12,
        int8_io=False,
        inputs=("image",),
        outputs=(
            ("landmarks", "[1, 63] 21 points (x, y, z) in input pixels: wrist, thumb CMC MCP IP tip, then index, "
                          "middle, ring, pinky MCP PIP DIP tip; z is relative depth at x scale"),
            ("hand_flag", "[1, 1] hand presence 0..1 (sigmoid applied)"),
            ("handedness", "[1, 1] 0..1, above 0.5 a right hand in a mirrored (selfie) picture"),
            ("world_landmarks", "[1, 63] the 21 points in metres around the hand's centre"),
        ),
    ),
)}
