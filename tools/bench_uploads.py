#!/usr/bin/env python3
"""Benchmark the upload queue against the raw S3 client on a local SeaweedFS server.

Measures, in one run on one machine (compare the ratios, not the absolute numbers):
1. throughput of one large clip: the queue (sha256 check, Content-MD5 per part,
   commits, HEAD verification, sidecar object) against a bare botocore multipart
   loop with the same part size;
2. queue overhead per small clip: queue against two bare PUTs per clip;
3. peak RSS of a fresh process while the queue uploads a small and a large clip:
   it must not grow with the clip's size (only one part is held in memory).

Usage:  .venv/bin/python tools/bench_uploads.py [--size-mb 200] [--clips 50] [--json out.json]

The large clip is random bytes with a correct sidecar: the uploader never parses
the MP4, and random data keeps the encoder out of the measurement.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from seaweed import SeaweedServer  # noqa: E402
from upload_helpers import make_clip, make_config  # noqa: E402

from magicbooth.library.clips import UploadState, write_sidecar  # noqa: E402
from magicbooth.upload.credentials import load_credentials  # noqa: E402
from magicbooth.upload.queue import UploadQueue  # noqa: E402
from magicbooth.upload.store import ObjectStore  # noqa: E402

MiB = 1 << 20
DAY = "2026-11-20"


def random_clip(clips: Path, clip_id: str, size: int) -> Path:
    """A file of random bytes with a recorder-style sidecar."""
    folder = clips / DAY
    folder.mkdir(parents=True, exist_ok=True)
    video = folder / f"{clip_id}.mp4"
    sha = hashlib.sha256()
    with video.open("wb") as fh:
        left = size
        while left:
            chunk = os.urandom(min(4 * MiB, left))
            sha.update(chunk)
            fh.write(chunk)
            left -= len(chunk)
    write_sidecar(video, {"id": clip_id, "started_at": f"{DAY}T12:00:00+00:00", "sha256": sha.hexdigest(),
                          "size_bytes": size, "upload_state": UploadState.OFF, "upload_error": ""})
    return video


def raw_multipart(client: Any, bucket: str, key: str, path: Path, part_size: int) -> None:
    """What a bare client does: create, send each part, complete; no hashing, no bookkeeping."""
    upload_id = client.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    parts = []
    with path.open("rb") as fh:
        number = 1
        while data := fh.read(part_size):
            etag = client.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=data)["ETag"]
            parts.append({"PartNumber": number, "ETag": etag})
            number += 1
    client.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts})


def bench_throughput(server: SeaweedServer, work: Path, size_mb: int, repeats: int) -> dict[str, float]:
    clips = work / "big-clips"
    video = random_clip(clips, "big", size_mb * MiB)
    raw_s, queue_s = [], []
    for i in range(repeats):
        state = work / f"tp-{i}"
        state.mkdir()
        cfg = make_config(state, server, prefix=f"bench-tp-{i}", part_size_mb=8, read_timeout_s=60.0)
        store = ObjectStore.connect(cfg.upload, load_credentials(Path(cfg.upload.credentials_file)))
        start = time.perf_counter()
        raw_multipart(store.client, "clips", f"bench-raw-{i}/big.mp4", video, 8 * MiB)
        raw_s.append(time.perf_counter() - start)

        from magicbooth.library.clips import Clip, read_sidecar

        queue = UploadQueue(cfg)
        queue.enqueue(Clip(video, read_sidecar(video)))
        start = time.perf_counter()
        result = queue.run_once()
        queue_s.append(time.perf_counter() - start)
        assert result.uploaded == ["big"], result
        queue.close()
    raw, q = statistics.median(raw_s), statistics.median(queue_s)
    return {"size_mb": size_mb, "raw_mb_s": size_mb / raw, "queue_mb_s": size_mb / q, "queue_vs_raw": raw / q}


def bench_overhead(server: SeaweedServer, work: Path, count: int) -> dict[str, float]:
    state = work / "small"
    state.mkdir()
    cfg = make_config(state, server, prefix="bench-small")
    clips = [make_clip(state / "clips", f"s{i:03d}", seed=i) for i in range(count)]
    store = ObjectStore.connect(cfg.upload, load_credentials(Path(cfg.upload.credentials_file)))
    start = time.perf_counter()
    for clip in clips:
        store.client.put_object(Bucket="clips", Key=f"bench-raw-small/{clip.id}.mp4", Body=clip.video.read_bytes())
        store.client.put_object(Bucket="clips", Key=f"bench-raw-small/{clip.id}.json",
                                Body=clip.sidecar.read_bytes())
    raw = time.perf_counter() - start

    queue = UploadQueue(cfg)
    start = time.perf_counter()
    for clip in clips:
        queue.enqueue(clip)
    enqueue = time.perf_counter() - start
    start = time.perf_counter()
    result = queue.run_once()
    drain = time.perf_counter() - start
    assert len(result.uploaded) == count, result
    queue.close()
    size = statistics.mean(c.video.stat().st_size for c in clips)
    return {"clips": count, "clip_kb": size / 1024, "raw_ms_per_clip": 1000 * raw / count,
            "queue_ms_per_clip": 1000 * (enqueue + drain) / count, "enqueue_ms_per_clip": 1000 * enqueue / count,
            "overhead_ms_per_clip": 1000 * (enqueue + drain - raw) / count}


RSS_CHILD = """
import json, sys, threading, time
sys.path[:0] = [sys.argv[1], sys.argv[1] + "/tests"]
from pathlib import Path
from magicbooth.core.config import load_config
from magicbooth.library.clips import Clip, read_sidecar
from magicbooth.upload.queue import UploadQueue

def rss():
    with open("/proc/self/status") as fh:
        return next(int(l.split()[1]) for l in fh if l.startswith("VmRSS")) / 1024

queue = UploadQueue(load_config(sys.argv[2]))
queue.store                                   # import botocore and build the client before the baseline
video = Path(sys.argv[3])
queue.enqueue(Clip(video, read_sidecar(video)))
base, peak, done = rss(), 0.0, threading.Event()
def sample():
    global peak
    while not done.wait(0.02):
        peak = max(peak, rss())
t = threading.Thread(target=sample); t.start()
result = queue.run_once()
done.set(); t.join()
print(json.dumps({"baseline_mb": base, "peak_mb": max(peak, rss()), "uploaded": result.uploaded}))
"""


def bench_rss(server: SeaweedServer, work: Path, sizes_mb: list[int]) -> list[dict[str, float]]:
    out = []
    for size_mb in sizes_mb:
        state = work / f"rss-{size_mb}"
        state.mkdir()
        cfg_file = state / "magicbooth.toml"
        creds = state / "s3.toml"
        make_config(state, server)           # writes s3.toml
        cfg_file.write_text(f'[device]\nid = "booth-07"\nstate_dir = "{state}"\n[upload]\n'
                            f'endpoint = "{server.endpoint}"\nbucket = "clips"\nprefix = "bench-rss-{size_mb}"\n'
                            f'credentials_file = "{creds}"\npart_size_mb = 8\nread_timeout_s = 60.0\n')
        video = random_clip(state / "clips", "rss", size_mb * MiB)
        run = subprocess.run([sys.executable, "-c", RSS_CHILD, str(ROOT), str(cfg_file), str(video)],
                             capture_output=True, text=True, timeout=600)
        if run.returncode:
            raise RuntimeError(run.stderr[-2000:])
        numbers = json.loads(run.stdout.strip().splitlines()[-1])
        out.append({"size_mb": size_mb, "baseline_mb": numbers["baseline_mb"], "peak_mb": numbers["peak_mb"],
                    "growth_mb": numbers["peak_mb"] - numbers["baseline_mb"]})
        video.unlink()
    return out


CLIENT_SETUP = {
    "botocore": "import botocore.session;from botocore.config import Config;"
                "botocore.session.Session().create_client('s3',endpoint_url='http://127.0.0.1:1',region_name='x',"
                "aws_access_key_id='a',aws_secret_access_key='b',config=Config(request_checksum_calculation="
                "'when_required'))",
    "boto3": "import boto3;from botocore.config import Config;boto3.session.Session().client('s3',"
             "endpoint_url='http://127.0.0.1:1',region_name='x',aws_access_key_id='a',aws_secret_access_key='b',"
             "config=Config(request_checksum_calculation='when_required'))",
    "minio": "import minio;minio.Minio('127.0.0.1:1',access_key='a',secret_key='b',secure=False)",
}
RSS = "next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmRSS'))/1024"


def import_cost() -> dict[str, dict[str, float]]:
    """Import + client set-up time and added RSS of each S3 client that is installed, in fresh interpreters.

    botocore is the one magicbooth uses; boto3 and minio are measured when present (pip install boto3 minio)
    to back the choice.
    """
    empty = float(subprocess.run([sys.executable, "-c", f"print({RSS})"], capture_output=True, text=True,
                                 check=True).stdout)
    out = {}
    for name, setup in CLIENT_SETUP.items():
        code = f"import time;t=time.perf_counter();{setup};d=time.perf_counter()-t;print(d*1000,{RSS})"
        runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True) for _ in range(3)]
        if any(r.returncode for r in runs):
            continue
        values = [r.stdout.split() for r in runs]
        out[name] = {"import_and_client_ms": statistics.median(float(v[0]) for v in values),
                     "rss_added_mb": statistics.median(float(v[1]) for v in values) - empty}
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=200, help="size of the large clip (default 200)")
    parser.add_argument("--clips", type=int, default=50, help="small clips for the per-clip overhead (default 50)")
    parser.add_argument("--repeats", type=int, default=3, help="throughput repetitions; the median counts")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-uploads-") as tmp:
        work = Path(tmp)
        with SeaweedServer(work / "weed") as server:
            results: dict[str, Any] = {"client": import_cost()}
            results["throughput"] = bench_throughput(server, work, args.size_mb, args.repeats)
            results["overhead"] = bench_overhead(server, work, args.clips)
            results["rss"] = bench_rss(server, work, sorted({max(args.size_mb // 10, 10), args.size_mb}))

    t, o = results["throughput"], results["overhead"]
    for name, c in results["client"].items():
        print(f"S3 client {name}: import + client {c['import_and_client_ms']:.0f} ms, "
              f"+{c['rss_added_mb']:.1f} MiB RSS")
    print(f"throughput, {t['size_mb']} MB clip, 8 MiB parts: raw client {t['raw_mb_s']:.0f} MB/s, "
          f"queue {t['queue_mb_s']:.0f} MB/s (queue/raw = {t['queue_vs_raw']:.2f})")
    print(f"{o['clips']} clips of {o['clip_kb']:.0f} KiB: raw {o['raw_ms_per_clip']:.1f} ms/clip, "
          f"queue {o['queue_ms_per_clip']:.1f} ms/clip (enqueue {o['enqueue_ms_per_clip']:.1f}), "
          f"overhead {o['overhead_ms_per_clip']:.1f} ms/clip")
    for r in results["rss"]:
        print(f"RSS uploading {r['size_mb']} MB: baseline {r['baseline_mb']:.1f} MiB, peak {r['peak_mb']:.1f} MiB "
              f"(+{r['growth_mb']:.1f})")
    small, large = results["rss"][0], results["rss"][-1]
    grows = large["growth_mb"] - small["growth_mb"]
    verdict = "ok" if grows < 8 else "FAIL"
    print(f"memory vs clip size: {large['size_mb']} MB clip uses {grows:+.1f} MiB more than {small['size_mb']} MB "
          f"-> {verdict} (must not grow with size: parts stream from disk)")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return 0 if verdict == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
