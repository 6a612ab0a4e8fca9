"""One TOML file, parsed once into one frozen, typed ``Config``.

Each section is a frozen dataclass; each field carries its own description
(written out as a comment by ``magicbooth config --default``) and its limits,
checked by ``magicbooth.core.options``. Unknown keys and bad values raise
``ConfigError`` with one line that names the file, the key, the bad value and
what was expected. ``load_config`` finds the file (``--config``,
``$MAGICBOOTH_CONFIG``, ``/etc/magicbooth/config.toml``, ``./magicbooth.toml``,
else the built-in defaults) and hands its text to ``parse_config``:

>>> cfg = parse_config("[camera]\\nfps = 25", "booth.toml")
>>> cfg.camera.fps, cfg.camera.size
(25, (640, 480))
>>> parse_config("[camera]\\nfps = 0", "booth.toml")
Traceback (most recent call last):
magicbooth.core.errors.ConfigError: booth.toml: [camera] fps = 0: expected an integer from 1 to 120
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from magicbooth.core.errors import ConfigError
from magicbooth.core.options import check, limits, option
from magicbooth.core.text import printable, shorten

# S3's bucket rules (3 to 63 characters, no "..", letter or digit at both ends), with the '_' and capitals that
# botocore and several S3-compatible stores accept; a bucket name is never a path.
BUCKET_NAME = (r"(?:(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9._-]{1,61}[A-Za-z0-9])?",
               "a bucket name: 3 to 63 letters, digits, '.', '-' or '_', starting and ending with a letter or "
               "digit (or empty: uploads off)")
_SEGMENT = r"(?!\.{1,2}(?:/|$))[A-Za-z0-9._-]+"
KEY_PREFIX = (rf"(?:{_SEGMENT}(?:/{_SEGMENT})*/?)?",
              "a key prefix: words of letters, digits, '.', '-' or '_' joined by single '/', none of them "
              "'.' or '..', no leading '/' (or empty)")
MAX_SHOWN = 120   # characters of a bad value echoed in an error line
SYSTEM_CONFIG = Path("/etc/magicbooth/config.toml")
LOCAL_CONFIG = Path("magicbooth.toml")
ENV_VAR = "MAGICBOOTH_CONFIG"


@dataclass(frozen=True)
class DeviceConfig:
    """Identity of this booth and where it keeps its state."""

    id: str = option("", "Device id used in clip metadata and upload keys; empty means the hostname. Characters "
                         "other than letters, digits, '.', '_' and '-' become '-'.")
    state_dir: str = option(
        "", "Directory for clips and queues; empty means $STATE_DIRECTORY under systemd, else the current directory.")


@dataclass(frozen=True)
class CameraConfig:
    """Where frames come from."""

    source: str = option(
        "auto", "auto | picamera2 | webcam[:N] | /dev/videoN | sample | a video or image file path.")
    size: tuple[int, int] = option((640, 480), "Frame size [width, height] delivered to the pipeline.",
                                   low=16, high=4096)
    fps: int = option(30, "Requested frame rate.", low=1, high=120)
    buffer_count: int = option(4, "picamera2 buffers; small keeps latency low.", low=1, high=16)
    analysis_size: tuple[int, int] = option(
        (320, 240), "picamera2 low-resolution stream [width, height] for analysis; [0, 0] turns it off.",
        low=0, high=4096)
    loop: bool = option(True, "File sources: start again at the end instead of stopping.")
    realtime: bool = option(True, "File sources: pace frames at the file's frame rate instead of as fast as possible.")
    timeout_s: float = option(2.0, "A camera that delivers no frame for this long counts as disconnected.",
                              low=0.1, high=60)
    reopen_max_backoff_s: float = option(8.0, "Longest wait between attempts to reopen a lost camera.",
                                         low=0.1, high=300)


@dataclass(frozen=True)
class DisplayConfig:
    """How the preview is shown."""

    mode: str = option("auto", "auto | window | fullscreen | none.",
                       choices=("auto", "window", "fullscreen", "none"))
    mirror: bool = option(True, "Flip the preview left-right, like a selfie camera (recordings are not flipped).")
    hud: bool = option(False, "Show fps and per-stage timings over the preview.")
    window_size: tuple[int, int] = option((0, 0), "Window size [width, height]; [0, 0] means the frame size.",
                                         low=0, high=8192)


@dataclass(frozen=True)
class InferenceConfig:
    """How the int8 models run."""

    threads: int = option(0, "LiteRT threads per model; 0 means CPU cores - 1, at most 4.", low=0, high=16)


COLOUR = (r"#?[0-9a-fA-F]{6}", 'a colour like "#ffd23f", or "" for the theme\'s own')


@dataclass(frozen=True)
class BoothConfig:
    """The kiosk booth: timings of each screen, what it asks of the guest, and how it looks."""

    countdown_s: int = option(3, "Seconds of 3-2-1 countdown before recording starts.", low=0, high=10)
    max_record_s: float = option(15.0, "Longest booth clip (the recorder's own [recorder] max_clip_s still applies).",
                                 low=1, high=300)
    review: bool = option(True, "Play the clip back with Keep / Retake before saving it.")
    review_timeout_s: float = option(20.0, "Review keeps the clip by itself after this long without input.",
                                     low=1, high=600)
    saved_s: float = option(8.0, "How long the 'Saved' screen (with its QR code) stays up.", low=0.5, high=60)
    idle_timeout_s: float = option(60.0, "After this long without input the booth returns to its start screen and "
                                   "the attract loop begins; 0 turns it off.", low=0, high=3600)
    attract_cycle_s: float = option(5.0, "Attract loop: while nobody uses the booth, show the next effect every "
                                    "this many seconds; 0 keeps the current one.", low=0, high=600)
    consent: bool = option(False, "Ask the guest to agree before the countdown.")
    consent_text: str = option("", "Text of the consent screen; empty means the built-in text in the booth's "
                                   "language.")
    hint: str = option("", "Start-screen hint; empty means the built-in text in the booth's language.")
    failsafe_s: float = option(4.0, "How long an error message stays up before returning to attract.",
                               low=0.5, high=60)
    qr_url: str = option("", "Saved screen: QR code of this URL; {id} becomes the clip id. Empty: no QR code.")
    language: str = option("en", "Language of the guest-facing text.", choices=("en", "de"))
    theme: str = option("dark", "Look of the screens: dark | light (colours below override it).",
                        choices=("dark", "light"))
    accent: str = option("", "Accent colour: the shutter's highlight, primary buttons, progress.", pattern=COLOUR)
    surface: str = option("", "Colour of the bars beside the picture, the panels and the error screen.",
                          pattern=COLOUR)
    text: str = option("", "Text colour on the surface (changed to black or white if it would read poorly).",
                       pattern=COLOUR)
    logo: str = option("", "A PNG shown in the top-left corner (scaled to fit); empty shows the title instead.")
    title: str = option("", "Event or brand name shown in the top-left corner when there is no logo.")
    face_area: tuple[float, float, float, float] = option(
        (0.2, 0.05, 0.8, 0.62), "Where faces are in the camera picture [left, top, right, bottom] as fractions: "
        "the screens keep buttons and text out of it.", low=0, high=1)
    thumbnails: bool = option(True, "Show each effect live on the guest in the carousel (costs about 1 ms a "
                              "frame); false shows plain symbols.")
    gestures: bool = option(False, "Hand gestures through the camera, no touching: an open palm held for 1 s "
                            "starts, thumb up keeps, thumb down retakes, a sideways swipe changes the effect. Hands "
                            "are watched only while the booth waits for a choice, never while recording.")


@dataclass(frozen=True)
class HeadlessConfig:
    """The headless recorder: one button, one status LED, no display (pre-roll and length: [recorder])."""

    effect: str = option("", "Effect drawn into the recording (a name from 'magicbooth effects'); empty records "
                             "the raw camera.")


@dataclass(frozen=True)
class GpioConfig:
    """Buttons and the status LED (gpiozero pin names such as "GPIO17" or "BOARD11"; "" means none)."""

    button: str = option("GPIO17", "Record / select button (to ground, or to 3V3 with pull_up = false).")
    next_button: str = option("", "Booth: next effect in the carousel.")
    prev_button: str = option("", "Booth: previous effect in the carousel.")
    pull_up: bool = option(True, "Buttons pull up internally and read pressed when shorted to ground.")
    bounce_s: float = option(0.05, "Debounce time; 0 turns it off.", low=0, high=1)
    hold_s: float = option(5.0, "Holding the record button this long requests a safe shutdown.", low=1, high=60)
    shutdown_on_hold: bool = option(True, "Whether a long hold shuts the device down.")
    shutdown_command: tuple[str, ...] = option(("systemctl", "poweroff"),
                                               "Command run for a safe shutdown (as a list of words).")
    led: tuple[str, ...] = option(("GPIO27",), "Status LED: one pin, or three pins [red, green, blue] "
                                                 "for an RGB LED; [] means none.")
    led_active_high: bool = option(True, "LED lights when its pin is high (false for common-anode RGB LEDs).")


@dataclass(frozen=True)
class ServiceConfig:
    """How the service behaves under systemd."""

    user: str = option("magicbooth", "System user the service runs as (install-service creates it).")
    frame_stall_s: float = option(5.0, "No frame for this long stops the watchdog pings, so systemd restarts "
                                  "the process (a re-plugged camera often needs a fresh process).", low=0.5, high=600)
    config_poll_s: float = option(2.0, "With a bad config, how often to look for a fixed one.", low=0.2, high=60)


@dataclass(frozen=True)
class RecorderConfig:
    """How clips are encoded: H.264 in fragmented MP4, with a pre-roll of encoded packets."""

    encoder: str = option("auto", "auto (probe h264_v4l2m2m, then libx264) | libx264 | h264_v4l2m2m.",
                          choices=("auto", "libx264", "h264_v4l2m2m"))
    crf: int = option(23, "libx264 quality: lower is better and bigger.", low=0, high=51)
    preset: str = option("ultrafast", "libx264 speed preset; faster presets cost less CPU per frame.",
                         choices=("ultrafast", "superfast", "veryfast", "faster", "fast", "medium"))
    bitrate_kbps: int = option(4000, "h264_v4l2m2m target bitrate (the hardware encoder has no CRF).",
                               low=100, high=50000)
    threads: int = option(0, "libx264 threads; 0 lets the encoder decide.", low=0, high=16)
    keyframe_interval_s: float = option(1.0, "Seconds between keyframes: one MP4 fragment each, so also "
                                        "the most a pulled plug can cost.", low=0.2, high=10)
    pre_roll_s: float = option(3.0, "Seconds of encoded video kept before start(), aligned to a keyframe.",
                               low=0, high=30)
    post_roll_s: float = option(0.0, "Seconds recorded after stop().", low=0, high=30)
    max_clip_s: float = option(60.0, "A clip stops by itself after this many seconds.", low=1, high=3600)
    queue_frames: int = option(8, "Frames waiting for the encoder; when full, frames are dropped and counted.",
                               low=1, high=300)


@dataclass(frozen=True)
class AudioConfig:
    """Sound in clips: a music track and/or a microphone, muxed as AAC."""

    music: str = option("none", "none | bundled (the project's own royalty-free track) | a path to an audio file.")
    music_volume: float = option(0.8, "Music gain, 0 to 1.", low=0, high=1)
    fade_out_s: float = option(1.5, "Music fades out over the last seconds of the clip.", low=0, high=10)
    mic: str = option("", "ALSA capture device (e.g. default or hw:1,0); empty means no microphone.")
    mic_volume: float = option(1.0, "Microphone gain, 0 to 4.", low=0, high=4)
    sample_rate: int = option(48000, "Audio sample rate of clips.", choices=(32000, 44100, 48000))
    bitrate_kbps: int = option(128, "AAC bitrate.", low=32, high=320)


@dataclass(frozen=True)
class StorageConfig:
    """Where clips live and how the disk is kept from filling up."""

    clips_dir: str = option("", "Clip library; empty means <state_dir>/clips (./clips outside systemd).")
    min_free_mb: float = option(200.0, "Below this much free space recording stops cleanly and will not "
                                "start; 0 turns the guard off (a full disk still stops it cleanly).",
                                low=0, high=1_000_000)
    low_free_mb: float = option(1000.0, "Below this, retention deletes old clips and the status shows 'low'.",
                                low=0, high=1_000_000)
    check_interval_s: float = option(1.0, "How often free space is checked while recording (also after every "
                                     "fragment).", low=0.1, high=60)
    max_age_days: int = option(0, "Uploaded clips older than this are deleted; 0 keeps them until space is low.",
                               low=0, high=3650)
    delete_unuploaded: bool = option(False, "Let retention delete clips that were never uploaded (oldest "
                                     "first, after all uploaded ones).")


@dataclass(frozen=True)
class UploadConfig:
    """Where finished clips are uploaded (any S3-compatible store); off until endpoint and bucket are set."""

    endpoint: str = option("", "S3 endpoint URL, e.g. \"http://127.0.0.1:8333\"; empty turns uploading off.")
    bucket: str = option("", "Bucket the clips go to; it must already exist.", pattern=BUCKET_NAME)
    prefix: str = option("booths", "Key prefix: objects go to <prefix>/<device id>/<yyyy-mm-dd>/<clip id>.mp4|.json.",
                         pattern=KEY_PREFIX)
    credentials_file: str = option(
        "/etc/magicbooth/s3.toml", "TOML file with access_key_id and secret_access_key, mode 0600; "
        "under systemd LoadCredential=s3.toml:<file> ($CREDENTIALS_DIRECTORY/s3.toml) takes precedence.")
    region: str = option("us-east-1", "Signing region; most S3-compatible stores accept any.")
    part_size_mb: int = option(8, "Multipart part size in MiB; larger clips go up in parts that survive restarts "
                               "(S3 needs at least 5).", low=5, high=512)
    max_kbytes_per_s: int = option(0, "Bandwidth limit for uploads in KiB/s; 0 means unlimited.",
                                   low=0, high=10_000_000)
    connect_timeout_s: float = option(5.0, "Give up connecting to the store after this long.", low=0.1, high=120)
    read_timeout_s: float = option(30.0, "Give up on a stalled request after this long.", low=0.1, high=600)
    retry_min_s: float = option(2.0, "First wait after a failed attempt; doubles each time, with jitter.",
                                low=0.01, high=3600)
    retry_max_s: float = option(600.0, "Longest wait between attempts.", low=0.01, high=86400)
    checksum_sha256: bool = option(True, "Send x-amz-checksum-sha256 so the store itself checks the sidecar's hash "
                                   "(single-part objects); turn off for stores that reject the header.")

    @property
    def enabled(self) -> bool:
        """Uploading is on once both an endpoint and a bucket are configured."""
        return bool(self.endpoint and self.bucket)


@dataclass(frozen=True)
class PerceptionConfig:
    """Face detection, face mesh tracking and the person mask."""

    max_faces: int = option(2, "Most faces detected and tracked at once.", low=1, high=8)
    detector: str = option("auto", "Face detector: short (guests within about 2 m), full (the full-range model, "
                           "scanning the picture in tiles for guests 1-4 m away) or auto (short first, the "
                           "full-range scan only while it finds nothing).", choices=("auto", "short", "full"))
    min_face_score: float = option(0.5, "Detector score a face needs to count.", low=0.01, high=0.99)
    nms_iou: float = option(0.3, "Detections overlapping more than this are blended into one face.",
                            low=0.05, high=0.95)
    min_presence: float = option(0.5, "Mesh presence below this means the tracked face is lost.",
                                 low=0.01, high=0.99)
    redetect_every: int = option(
        10, "While fewer than max_faces are tracked, look for new faces every N frames.", low=1, high=1000)
    detect_every: int = option(
        5, "Effects that need faces but no mesh: run the face detector at least every N frames and follow the "
        "faces between by optical flow on a small picture (sooner when a face cannot be followed, and on every "
        "frame while nobody is seen); 1 runs it on every frame.", low=1, high=100)
    mesh_reuse: int = option(
        1, "Where a tracked face kept still or only moved as a whole (its picture shows no other change), give its "
        "last mesh moved with it instead of running the mesh model, for at most N frames in a row; 0 runs the model "
        "on every frame.", low=0, high=30)
    smoothing: bool = option(True, "Smooth keypoints and landmarks with a One-Euro filter.")
    smoothing_min_cutoff: float = option(
        1.0, "One-Euro cut-off (Hz) for a still face; lower is steadier but lags more.", low=0.01, high=100)
    smoothing_beta: float = option(
        5.0, "One-Euro speed coefficient: cut-off Hz added per face size (eye distance) moved per second; "
        "higher lags less when moving.",
        low=0.0, high=1000)
    segmentation_model: str = option(
        "auto", "auto (landscape for frames 4:3 or wider, general for squarer ones; never squashed) | landscape "
        "(144×256, faster) | general (256×256).", choices=("auto", "landscape", "general"))
    mask_threshold: float = option(0.5, "Model probability that counts as person: for the clean-up's regions and "
                                   "the middle of the edge.", low=0.05, high=0.95)
    mask_smoothing: float = option(0.6, "Temporal smoothing where the picture is still: weight of the previous "
                                   "mask; 0 is off. Moving parts always follow at once.", low=0.0, high=0.95)
    mask_motion: float = option(6.0, "Grey-level change (0-255) that counts as movement for the smoothing; "
                                "lower follows sooner.", low=0.5, high=255)
    mask_min_blob: float = option(0.01, "Drop person regions smaller than this fraction of the frame unless a "
                                  "detected face is in them; 0 keeps them.", low=0.0, high=0.5)
    mask_body: float = option(0.05, "A region this big (fraction of the frame) counts as a person without a "
                              "detected face; smaller regions stay only near one.", low=0.0, high=1.0)
    mask_refine: bool = option(True, "Refine the mask's edge along the picture's own edges (guided filter); "
                               "false scales the model's mask plainly.")
    mask_full_guide: bool = option(False, "Guide the mask's edge by the full frame instead of half of it (or of "
                                   "the low-resolution stream): an edge about 2 px narrower, for about a tenth more "
                                   "of the mask's work on a Pi.")
    mask_grid: int = option(4, "The mask is smoothed, cleaned and fitted to the picture on a grid this many "
                            "times smaller than the guide (half the frame, or the low-resolution stream).",
                            low=1, high=16)
    mask_radius: int = option(1, "Guided filter window radius in grid cells.", low=1, high=8)
    mask_eps: float = option(0.004, "Guided filter regularisation: larger follows the model more and the "
                             "picture's edges less.", low=1e-5, high=1.0)
    mask_gain: float = option(6.0, "Steepness of the refined edge: 1 keeps the filter's own, higher is harder.",
                              low=0.5, high=8.0)
    mask_still_frames: int = option(
        15, "While no part of the picture has moved (by mask_motion grey levels since the segmentation model last "
        "ran), keep the last mask for up to this many frames; anything that moves runs the model at once. 0 runs "
        "it on every frame.", low=0, high=300)
    mask_every: int = option(1, "Run the segmentation model on every Nth frame only.", low=1, high=30)
    mask_skip_change: float = option(
        0.0, "Reuse the last mask while the frame's mean pixel change (0-255) stays below this; 0 is off.",
        low=0.0, high=255)


@dataclass(frozen=True)
class QualityConfig:
    """The quality governor: quality steps down when the booth falls behind or runs hot, back up with headroom.

    The levels and when they change: docs/architecture.md and ``pipeline/governor.py``.
    """

    governor: bool = option(True, "Let the governor change the quality level (live sources only); false keeps "
                            "full quality.")
    target_fps: int = option(0, "Frame rate the booth should hold; 0 means the camera's.", low=0, high=120)
    max_level: int = option(5, "Lowest quality the governor may step down to: 0 (full) to 5 (the effect at half "
                            "resolution).", low=0, high=5)
    hot_c: float = option(75.0, "Board temperature that counts as near its limit (a Pi 4 or 5 starts to throttle "
                          "at 80-85 °C); throttling reported by the firmware counts too.", low=30, high=110)
    down_after_s: float = option(2.0, "Seconds below the frame rate before one step down.", low=0.5, high=60)
    up_after_s: float = option(10.0, "Seconds of headroom before one step back up (doubled each time a step up "
                               "had to be undone, up to 5 minutes).", low=1, high=600)


@dataclass(frozen=True)
class EffectsConfig:
    """Which effects the booth offers (names as listed by 'magicbooth effects')."""

    default: str = option("sticker", "Effect shown when the booth starts (run --effect overrides it).")
    carousel: tuple[str, ...] = option((), "Effects the next/previous controls cycle through, in order; "
                                           "empty means every effect.")
    watermark: str = option("AI effect", "Watermark drawn on the preview and clips; empty for none.")


@dataclass(frozen=True)
class BenchConfig:
    """``magicbooth bench``: how long it runs and the targets it judges against."""

    seconds: float = option(120.0, "Full run: seconds of the end-to-end run (long enough to show throttling).",
                            low=1, high=3600)
    quick_seconds: float = option(8.0, "--quick: seconds of the end-to-end run.", low=1, high=600)
    warmup_s: float = option(2.0, "Seconds of the end-to-end run left out of the figures (model and encoder start).",
                             low=0, high=60)
    threads: tuple[int, ...] = option((1, 2, 4), "Thread counts for the per-model benchmark (a full run skips "
                                      "counts above the number of cores).", low=1, high=16)
    warm_runs: int = option(100, "Full run: warm invokes per model and thread count.", low=1, high=10000)
    quick_warm_runs: int = option(20, "--quick: warm invokes per model and thread count.", low=1, high=10000)
    stage_frames: int = option(90, "Full run: frames per stage measured alone.", low=2, high=1000)
    quick_stage_frames: int = option(30, "--quick: frames per stage measured alone.", low=2, high=1000)
    fps: int = option(30, "Frame rate the booth must hold; the frame budget is 1000/fps ms.", low=1, high=120)
    cpu_ms_target: float = option(20.0, "Target CPU milliseconds per frame, all threads together.", low=0.1)
    rss_mb_target: float = option(350.0, "Target peak resident memory in MB.", low=1)
    effect: str = option("", "Effect for the end-to-end run; empty means the heaviest (mesh + mask).")
    sample_interval_s: float = option(1.0, "Seconds between temperature and clock samples.", low=0.05, high=60)
    level_seconds: float = option(10.0, "Full run: seconds of the end-to-end run at each quality level (fps, CPU "
                                  "and, on a Pi 5, joules per recorded minute).", low=1, high=600)
    quick_level_seconds: float = option(3.0, "--quick: seconds at each quality level.", low=1, high=600)
    pi4_ipc: float = option(1.0, "Instructions per cycle assumed for a Pi 4's Cortex-A72 when the report turns "
                            "ARM instruction counts into a Pi 4 prediction.", low=0.1, high=4)
    pi5_ipc: float = option(1.0, "Instructions per cycle assumed for a Pi 5's Cortex-A76 when a counts file also "
                            "holds Cortex-A76 counts (the same as the Pi 4's by default: a cautious guess for a wider "
                            "core).", low=0.1, high=4)


@dataclass(frozen=True)
class Config:
    """The whole configuration; ``source`` is the file it came from, if any."""

    device: DeviceConfig = field(default_factory=DeviceConfig)
    camera: CameraConfig = field(default_factory=CameraConfig)
    display: DisplayConfig = field(default_factory=DisplayConfig)
    inference: InferenceConfig = field(default_factory=InferenceConfig)
    recorder: RecorderConfig = field(default_factory=RecorderConfig)
    audio: AudioConfig = field(default_factory=AudioConfig)
    storage: StorageConfig = field(default_factory=StorageConfig)
    upload: UploadConfig = field(default_factory=UploadConfig)
    perception: PerceptionConfig = field(default_factory=PerceptionConfig)
    effects: EffectsConfig = field(default_factory=EffectsConfig)
    quality: QualityConfig = field(default_factory=QualityConfig)
    booth: BoothConfig = field(default_factory=BoothConfig)
    headless: HeadlessConfig = field(default_factory=HeadlessConfig)
    gpio: GpioConfig = field(default_factory=GpioConfig)
    service: ServiceConfig = field(default_factory=ServiceConfig)
    bench: BenchConfig = field(default_factory=BenchConfig)
    source: str = field(default="built-in defaults", compare=False)

    def replace(self, section: str, **values: Any) -> Config:
        """Return a copy with some values of one section changed (validated)."""
        current = getattr(self, section)
        checked = {k: _coerce(self.source, section, current, k, v) for k, v in values.items()}
        return dataclasses.replace(self, **{section: dataclasses.replace(current, **checked)})


def sections() -> dict[str, type]:
    """Section name -> dataclass, in file order."""
    hints = typing.get_type_hints(Config)
    return {f.name: hints[f.name] for f in dataclasses.fields(Config) if f.name != "source"}


def find_config_file(explicit: str | os.PathLike[str] | None = None,
                     environ: Mapping[str, str] = os.environ) -> Path | None:
    """First of --config, $MAGICBOOTH_CONFIG, /etc/magicbooth/config.toml, ./magicbooth.toml."""
    if explicit:
        return Path(explicit)
    if environ.get(ENV_VAR):
        return Path(environ[ENV_VAR])
    for candidate in (SYSTEM_CONFIG, LOCAL_CONFIG):
        if candidate.is_file():
            return candidate
    return None


def load_config(explicit: str | os.PathLike[str] | None = None,
                environ: Mapping[str, str] = os.environ) -> Config:
    """Find and parse the config file, or return the built-in defaults."""
    path = find_config_file(explicit, environ)
    if path is None:
        return Config()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{_where(path)}: config file not found; create it with "
                          f"'magicbooth config --default > {_where(path)}'") from None
    except OSError as exc:
        raise ConfigError(f"{_where(path)}: cannot read config file: {exc.strerror or exc}") from None
    return parse_config(decode_text(raw, path, ConfigError), str(path))


def decode_text(raw: bytes, path: Path | str, error: type[Exception]) -> str:
    """A text file's bytes as UTF-8 (a byte-order mark, as Windows editors write, is dropped).

    UTF-16 and UTF-32 (also written by Windows editors) and bytes that are not UTF-8 raise ``error``
    saying so, instead of a parser's "invalid statement at line 1".
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        width = "UTF-32" if raw.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")) else "UTF-16"
        raise error(f"{_where(path)}: the file is {width} text; save it as UTF-8")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise error(f"{_where(path)}: line {line} is not UTF-8 text (byte 0x{raw[exc.start]:02x}); "
                    f"save the file as UTF-8") from None


def parse_config(text: str, source: str = "<string>") -> Config:
    """Parse TOML text into a validated ``Config`` (a leading byte-order mark is ignored)."""
    where = _where(source)
    try:
        data = tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: not valid TOML: {printable(str(exc))}") from None
    except RecursionError:
        raise ConfigError(f"{where}: arrays or tables nested too deeply; a magicbooth config needs "
                          f"[section] tables of plain values and lists") from None
    known = sections()
    built: dict[str, Any] = {}
    for name, value in data.items():
        if name not in known:
            raise ConfigError(f"{where}: unknown section [{_key(name)}]; expected one of: {', '.join(known)}")
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: {_key(name)} = {_show(value)}: expected a [{name}] table")
        built[name] = _build_section(where, name, known[name], value)
    return Config(**built, source=source)


def _build_section(source: str, name: str, cls: type, values: dict[str, Any]) -> Any:
    names = [f.name for f in dataclasses.fields(cls)]
    defaults = cls()
    checked = {}
    for key, value in values.items():
        if key not in names:
            raise ConfigError(f"{source}: unknown key [{name}] {_key(key)}; expected one of: {', '.join(names)}")
        checked[key] = _coerce(source, name, defaults, key, value)
    return cls(**checked)


def _coerce(source: str, section: str, instance: Any, key: str, value: Any) -> Any:
    """Check one value against its field's type and limits; return it typed."""
    fields = {f.name: f for f in dataclasses.fields(instance)}
    if key not in fields:
        raise ConfigError(f"{_where(source)}: unknown key [{section}] {_key(key)}; "
                          f"expected one of: {', '.join(fields)}")
    kind = typing.get_type_hints(type(instance))[key]
    where = f"{_where(source)}: [{section}] {key} = {_show(value)}"
    return check(kind, fields[key].metadata, value, where, ConfigError)


def _where(source: str | os.PathLike[str]) -> str:
    """A file name as echoed: control characters escaped."""
    return printable(str(source))


def _key(name: str) -> str:
    """A key or section name as TOML writes it: bare if it can be, else quoted and escaped."""
    return name if name and all(c.isascii() and (c.isalnum() or c in "_-") for c in name) else _show(name)


def _show(value: Any, limit: int = MAX_SHOWN) -> str:
    """Render a value the way it would look in TOML: control characters escaped, shortened to ``limit``."""
    return shorten(_toml(value, brief=True), limit)


def _toml(value: Any, depth: int = 0, brief: bool = False) -> str:
    """``value`` in TOML; ``brief`` shows at most 8 items per list and 4 levels (a bad value can be huge)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + printable(value.replace("\\", "\\\\").replace('"', '\\"'), toml=True) + '"'
    items = 8 if brief else None
    if brief and depth > 3 and isinstance(value, (list, tuple, dict)):
        return "[…]" if isinstance(value, (list, tuple)) else "{…}"
    if isinstance(value, (list, tuple)):
        more = ", …" if items and len(value) > items else ""
        return "[" + ", ".join(_toml(v, depth + 1, brief) for v in value[:items]) + more + "]"
    if isinstance(value, dict):
        more = ", …" if items and len(value) > items else ""
        pairs = [f"{_key(k)} = {_toml(v, depth + 1, brief)}" for k, v in list(value.items())[:items]]
        return "{" + ", ".join(pairs) + more + "}"
    return repr(value)


def default_config_toml() -> str:
    """A complete config file with every option at its default, each with a comment."""
    lines = ["# magicbooth configuration. Search order: --config, $MAGICBOOTH_CONFIG,",
             "# /etc/magicbooth/config.toml, ./magicbooth.toml, then these built-in defaults.", ""]
    for name, cls in sections().items():
        lines.append(f"# {(cls.__doc__ or '').strip().splitlines()[0]}")
        lines.append(f"[{name}]")
        instance = cls()
        for f in dataclasses.fields(cls):
            doc = f.metadata.get("doc", "")
            limits_text = limits(f.metadata).strip()
            lines.append(f"# {doc}" + (f" ({limits_text})" if limits_text else ""))
            lines.append(f"{f.name} = {_toml(getattr(instance, f.name))}")
        lines.append("")
    return "\n".join(lines)
