"""Media files from outside: which paths are images and which videos, and reading them safely.

A picture is checked before it is decoded: ``read_image`` reads the size from the file's header and
refuses more than ``MAX_IMAGE_PIXELS``, because a PNG of a few hundred KB can claim 30000x30000 pixels
(2.7 GB decoded; a Pi has 1 to 8 GB). ``video_problem`` says in words why a file is no usable video
(empty, no video stream, truncated) instead of a decoder's "tuple index out of range". Every part
that opens a user's image or video (``analyze``, ``FileSource``, the effects' ``file=`` option) goes
through here.

Usage::

    rgb = read_image("guest.jpg")                 # H x W x 3 uint8, or SourceError saying why not
    rgba = read_image("logo.png", alpha=True, error=EffectError)
    check_video("background.mp4")                 # SourceError: "...: has no video stream"
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from magicbooth.core.errors import SourceError

if TYPE_CHECKING:
    import numpy as np

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff"})
VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".mkv", ".m4v"})
# 50 megapixels covers the largest phone photos (8160x6120) at about 150 MB decoded; the camera gives at most 16.
MAX_IMAGE_PIXELS = 50_000_000
KINDS = "PNG, JPEG, BMP, WebP or TIFF"


def is_image(path: Path) -> bool:
    """True when ``path`` names a still image (by its suffix)."""
    return path.suffix.lower() in IMAGE_SUFFIXES


def image_size(path: str | Path) -> tuple[int, int] | None:
    """(width, height) from the file's header, without decoding it; ``None`` if it is none of the kinds
    read here (PNG, JPEG, BMP, WebP, TIFF) or its header is cut short."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(64)
            for reader in (_png, _bmp, _webp, _tiff, _jpeg):
                try:
                    size = reader(head, fh)
                except (struct.error, IndexError, ValueError):
                    return None
                if size is not None:
                    return size
    except OSError:
        return None
    return None


def read_image(path: str | Path, *, alpha: bool = False, max_pixels: int = MAX_IMAGE_PIXELS,
               error: type[Exception] = SourceError) -> np.ndarray:
    """An image file as RGB (``alpha``: RGBA) uint8, after checking its header; ``error`` says why not.

    Refuses files that are not PNG, JPEG, BMP, WebP or TIFF by their first bytes (the decoder goes by
    content, not by suffix) and images of more than ``max_pixels`` pixels. 16-bit images become 8-bit;
    ``alpha=False`` follows the EXIF orientation.
    """
    import cv2
    import numpy as np

    file = Path(path)
    where = str(path)
    if not file.exists():
        raise error(f"{where}: no such file; give the path of a {KINDS} image")
    if not file.is_file():
        raise error(f"{where}: not a file; give the path of a {KINDS} image")
    if file.stat().st_size == 0:
        raise error(f"{where}: the file is empty; give a {KINDS} image")
    kind = _kind(file)
    if kind is None:
        raise error(f"{where}: not a {KINDS} image")
    size = image_size(file)
    if size is None or min(size) <= 0:
        raise error(f"{where}: a damaged {kind} file (its header is cut short or invalid)")
    width, height = size
    if width * height > max_pixels:
        raise error(f"{where}: {width}x{height} pixels ({width * height / 1e6:.1f} megapixels) is above the "
                    f"{max_pixels / 1e6:.1f} megapixels this booth decodes; scale the image down first")
    try:
        data = np.fromfile(file, np.uint8)
        image = cv2.imdecode(data, cv2.IMREAD_UNCHANGED if alpha else cv2.IMREAD_COLOR)
    except (cv2.error, MemoryError, OSError) as exc:
        raise error(f"{where}: cannot decode this {kind} image ({str(exc).strip().splitlines()[-1]})") from None
    if image is None:
        raise error(f"{where}: cannot decode this {kind} image; it may be damaged")
    if image.dtype == np.uint16:
        image = np.right_shift(image, 8).astype(np.uint8)
    elif image.dtype != np.uint8:
        raise error(f"{where}: {image.dtype} pixels are not supported; save it as an 8-bit {kind}")
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    if alpha:
        code = cv2.COLOR_BGRA2RGBA if image.shape[2] == 4 else cv2.COLOR_BGR2RGBA
    else:
        code = cv2.COLOR_BGRA2RGB if image.shape[2] == 4 else cv2.COLOR_BGR2RGB
    result: np.ndarray = cv2.cvtColor(image, code)
    return result


def video_problem(path: str | Path, *, max_pixels: int = MAX_IMAGE_PIXELS) -> str | None:
    """Why ``path`` is no usable video, in words ("has no video stream", "is empty" ...), or ``None``.

    Opens the file and decodes its first frame; frame sizes above ``max_pixels`` count as a problem.
    """
    import av

    file = Path(path)
    if not file.exists():
        return "no such file"
    if not file.is_file():
        return "is not a file"
    if file.stat().st_size == 0:
        return "is empty"
    try:
        with av.open(str(file)) as container:
            if not container.streams.video:
                return "has no video stream"
            stream = container.streams.video[0]
            width, height = stream.codec_context.width, stream.codec_context.height
            if width * height > max_pixels:
                return (f"has {width}x{height} frames ({width * height / 1e6:.1f} megapixels), above the "
                        f"{max_pixels / 1e6:.1f} this booth decodes")
            for _frame in container.decode(stream):
                return None
            return "is truncated or damaged: its video stream has no frame that decodes"
    except av.error.InvalidDataError:
        return ("is truncated or damaged (an MP4 without its index)" if _is_iso_media(file)
                else "is not a video file FFmpeg can read")
    except (av.error.FFmpegError, OSError) as exc:
        return f"is truncated or damaged ({str(exc).strip()[:120]})"


def check_video(path: str | Path, *, max_pixels: int = MAX_IMAGE_PIXELS,
                error: type[Exception] = SourceError) -> None:
    """Raise ``error("<path>: has no video stream; ...")`` unless ``path`` is a video whose first frame decodes."""
    problem = video_problem(path, max_pixels=max_pixels)
    if problem is not None:
        raise error(f"{path}: {problem}; give a video file (MP4, MOV, MKV)")


# -- headers -------------------------------------------------------------------------------------------


def _kind(path: Path) -> str | None:
    with open(path, "rb") as fh:
        head = fh.read(12)
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"BM"):
        return "BMP"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "WebP"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "TIFF"
    return None


def _is_iso_media(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(12)[4:8] in (b"ftyp", b"moov", b"mdat", b"free", b"wide")


def _png(head: bytes, _fh: BinaryIO) -> tuple[int, int] | None:
    if not head.startswith(b"\x89PNG\r\n\x1a\n"):
        return None
    if head[12:16] != b"IHDR":
        raise ValueError("no IHDR")
    width, height = struct.unpack(">II", head[16:24])
    return int(width), int(height)


def _bmp(head: bytes, _fh: BinaryIO) -> tuple[int, int] | None:
    if not head.startswith(b"BM"):
        return None
    (header,) = struct.unpack("<I", head[14:18])
    if header == 12:
        width, height = struct.unpack("<HH", head[18:22])
    else:
        width, height = struct.unpack("<ii", head[18:26])
    return abs(int(width)), abs(int(height))


def _webp(head: bytes, _fh: BinaryIO) -> tuple[int, int] | None:
    if not (head.startswith(b"RIFF") and head[8:12] == b"WEBP"):
        return None
    chunk = head[12:16]
    if chunk == b"VP8 ":
        width, height = struct.unpack("<HH", head[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L":
        bits = int.from_bytes(head[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X":
        return int.from_bytes(head[24:27], "little") + 1, int.from_bytes(head[27:30], "little") + 1
    raise ValueError("unknown WebP chunk")


def _tiff(head: bytes, fh: BinaryIO) -> tuple[int, int] | None:
    if head[:4] not in (b"II*\x00", b"MM\x00*"):
        return None
    order = "<" if head[:2] == b"II" else ">"
    (offset,) = struct.unpack(order + "I", head[4:8])
    fh.seek(offset)
    (count,) = struct.unpack(order + "H", fh.read(2))
    entries = fh.read(12 * count)
    found: dict[int, int] = {}
    for i in range(count):
        tag, kind, _n, value = struct.unpack(order + "HHI4s", entries[12 * i:12 * i + 12])
        if tag in (256, 257):
            found[tag] = struct.unpack(order + ("H" if kind == 3 else "I"), value[:2 if kind == 3 else 4])[0]
    if 256 not in found or 257 not in found:
        raise ValueError("no size tags")
    return found[256], found[257]


def _jpeg(head: bytes, fh: BinaryIO) -> tuple[int, int] | None:
    """The size in the first start-of-frame marker (SOF0..SOF15 but DHT, JPG and DAC), walking the segments."""
    if not head.startswith(b"\xff\xd8"):
        return None
    fh.seek(2)
    while True:
        byte = fh.read(1)
        if not byte:
            raise ValueError("no frame header")
        if byte != b"\xff":
            continue
        marker = fh.read(1)
        while marker == b"\xff":            # fill bytes
            marker = fh.read(1)
        if not marker:
            raise ValueError("no frame header")
        code = marker[0]
        if code in (0xD9, 0xDA):                 # end of image, start of scan: no frame header before them
            raise ValueError("no frame header")
        if code in (0x01, *range(0xD0, 0xD8)):   # markers without a length
            continue
        (length,) = struct.unpack(">H", fh.read(2))
        if 0xC0 <= code <= 0xCF and code not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">xHH", fh.read(5))
            return int(width), int(height)
        fh.seek(length - 2, 1)
