"""Shared pieces for the upload tests and benchmark: real MP4 clips, configs, credentials files."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import av
import numpy as np
from seaweed import ACCESS_KEY, SECRET_KEY, SeaweedServer

from magicbooth.core.config import Config, parse_config
from magicbooth.library.clips import Clip, read_sidecar, write_sidecar

DAY = "2026-11-20"


def make_clip(clips_root: Path, clip_id: str, *, day: str = DAY, frames: int = 3, size: tuple[int, int] = (64, 48),
              seed: int = 0, lossless: bool = False) -> Clip:
    """Encode a real H.264 MP4 of noise frames and write its sidecar the way the recorder does.

    Noise does not compress, so ``lossless`` clips grow by about w*h*1.5 bytes per frame:
    that is how the multipart tests get files of a known size range.
    """
    folder = clips_root / day
    folder.mkdir(parents=True, exist_ok=True)
    video = folder / f"{clip_id}.mp4"
    rng = np.random.default_rng(seed)
    with av.open(str(video), "w", format="mp4") as out:
        stream = out.add_stream("libx264", rate=30)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.options = {"preset": "ultrafast", **({"qp": "0"} if lossless else {"crf": "30"})}
        for _ in range(frames):
            image = rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    data = video.read_bytes()
    meta = {"id": clip_id, "started_at": f"{day}T12:00:00+00:00", "duration_s": frames / 30, "frames": frames,
            "dropped_frames": 0, "effect": "none", "device_id": "test-booth",
            "sha256": hashlib.sha256(data).hexdigest(), "size_bytes": len(data),
            "software_version": "test", "upload_state": "off", "upload_error": ""}
    write_sidecar(video, meta)
    return Clip(video, read_sidecar(video))


def write_credentials(path: Path, access_key: str = ACCESS_KEY, secret_key: str = SECRET_KEY,
                      mode: int = 0o600) -> Path:
    path.write_text(f'access_key_id = "{access_key}"\nsecret_access_key = "{secret_key}"\n')
    os.chmod(path, mode)
    return path


def make_config(state: Path, server: SeaweedServer | None, *, endpoint: str = "", credentials: Path | None = None,
                **upload: Any) -> Config:
    """A config whose state dir is ``state`` and whose [upload] points at ``server`` (fast retries)."""
    creds = credentials or write_credentials(state / "s3.toml")
    values = {"endpoint": endpoint or (server.endpoint if server else ""), "bucket": "clips", "prefix": "booths",
              "credentials_file": str(creds), "part_size_mb": 5, "retry_min_s": 0.1, "retry_max_s": 0.5,
              "connect_timeout_s": 1.0, "read_timeout_s": 10.0, **upload}
    lines = ["[device]", 'id = "booth-07"', f'state_dir = "{state}"', "[upload]"]
    for key, value in values.items():
        lines.append(f"{key} = {value!r}".replace("'", '"') if not isinstance(value, bool)
                     else f"{key} = {str(value).lower()}")
    return parse_config("\n".join(lines) + "\n", "test")


def list_keys(client: Any, bucket: str = "clips", prefix: str = "") -> list[str]:
    keys: list[str] = []
    kwargs: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix}
    while True:
        r = client.list_objects_v2(**kwargs)
        keys += [o["Key"] for o in r.get("Contents", [])]
        if not r.get("IsTruncated"):
            return sorted(keys)
        kwargs["ContinuationToken"] = r["NextContinuationToken"]


def fetch(client: Any, key: str, bucket: str = "clips") -> bytes:
    return client.get_object(Bucket=bucket, Key=key)["Body"].read()


def pending_uploads(client: Any, bucket: str = "clips") -> list[tuple[str, str]]:
    r = client.list_multipart_uploads(Bucket=bucket)
    return [(u["Key"], u["UploadId"]) for u in r.get("Uploads", [])]
