"""A thin, typed face on botocore's S3 client, with errors sorted into retry / fix-config / give-up.

Why botocore (boto3's own client layer) and not boto3 or minio: the queue owns
the multipart state machine, so it needs the documented low-level calls
(CreateMultipartUpload, UploadPart, ListParts ...). minio-py 7.2 has those only
as private ``_``-methods and pulls in two C extensions (argon2-cffi,
pycryptodome); boto3 adds resources and s3transfer that we would not use.
Measured (tools/bench_uploads.py, tools/s3_client_import_arm.py): import plus
client costs 787 M ARM instructions on a Cortex-A72 (boto3 865 M, minio 713 M)
and +36 MiB RSS (boto3 +39, minio +19). The extra ~16 MiB over minio is paid
only when uploading is on: this module imports botocore on first use.

Settings that matter on S3-compatible stores and flaky Wi-Fi:
- ``request_checksum_calculation`` / ``response_checksum_validation`` =
  ``"when_required"``: botocore >= 1.36 otherwise adds CRC trailers that
  several stores reject. Integrity is checked with Content-MD5 and
  x-amz-checksum-sha256 instead.
- short connect/read timeouts and no botocore retries: the queue retries with
  its own backoff, so a stalled store never blocks a caller for minutes.
- ``payload_signing_enabled=False``: the body is not hashed a second time for
  the signature (Content-MD5 already protects it); a Pi 4 has no SHA instructions.

Usage::

    store = ObjectStore.connect(cfg.upload, load_credentials(path))
    etag = store.put(key, data, md5=hashlib.md5(data).digest(), sha256=hashlib.sha256(data).digest())
"""

from __future__ import annotations

import base64
import contextlib
import io
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from magicbooth.core.config import UploadConfig
from magicbooth.core.errors import CredentialsError, StoreUnavailableError, UploadError, UploadTargetError
from magicbooth.upload.credentials import S3Credentials

AUTH_CODES = frozenset({"InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "InvalidToken",
                        "ExpiredToken", "AuthorizationHeaderMalformed", "403", "Forbidden"})
RETRY_CODES = frozenset({"SlowDown", "ServiceUnavailable", "InternalError", "RequestTimeout", "Throttling",
                         "RequestTimeTooSkewed", "BadDigest", "IncompleteBody", "OperationAborted"})


@dataclass(frozen=True)
class Part:
    """One part as the store lists it."""

    number: int
    etag: str
    size: int


@dataclass(frozen=True)
class ObjectInfo:
    """What a HEAD request tells about an object."""

    size: int
    etag: str
    metadata: Mapping[str, str]


class Throttle:
    """A token bucket shared by all uploads of one store: at most ``rate`` bytes per second on average."""

    def __init__(self, rate: int, burst: int = 64 * 1024) -> None:
        self.rate = rate
        self._burst = max(burst, 1)
        self._allowance = float(self._burst)
        self._last = time.monotonic()
        self._lock = threading.Lock()

    def consume(self, nbytes: int) -> None:
        """Block until ``nbytes`` more may be sent."""
        with self._lock:
            now = time.monotonic()
            self._allowance = min(self._burst, self._allowance + (now - self._last) * self.rate)
            self._last = now
            self._allowance -= nbytes
            debt = -self._allowance
        if debt > 0:
            time.sleep(debt / self.rate)


class FileSlice:
    """A read-only file object over bytes [offset, offset + length) of a file, read with pread.

    Parts are streamed from disk through this, so uploading holds no part in memory
    however large the clip.
    """

    def __init__(self, fd: int, offset: int, length: int) -> None:
        self._fd = fd
        self._offset = offset
        self._length = length
        self._pos = 0

    def read(self, size: int = -1) -> bytes:
        left = self._length - self._pos
        size = left if size is None or size < 0 else min(size, left)
        chunk = os.pread(self._fd, size, self._offset + self._pos) if size > 0 else b""
        self._pos += len(chunk)
        return chunk

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: 0, 1: self._pos, 2: self._length}[whence]
        self._pos = max(0, min(self._length, base + offset))
        return self._pos

    def tell(self) -> int:
        return self._pos

    def __len__(self) -> int:
        return self._length


class ThrottledReader:
    """Wraps bytes or a file object so that reads are paced by a ``Throttle``."""

    def __init__(self, source: bytes | Readable, throttle: Throttle) -> None:
        self._source: Readable = io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else source
        self._throttle = throttle

    def read(self, size: int = -1) -> bytes:
        chunk = self._source.read(size)
        if chunk:
            self._throttle.consume(len(chunk))
        return chunk

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._source.seek(offset, whence)

    def tell(self) -> int:
        return self._source.tell()


class Readable(Protocol):
    """What botocore needs of a request body: read, seek, tell."""

    def read(self, size: int = -1, /) -> bytes: ...
    def seek(self, offset: int, whence: int = 0, /) -> int: ...
    def tell(self) -> int: ...


def b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode("ascii")


class ObjectStore:
    """One bucket on one endpoint; every method raises only ``UploadError`` subclasses.

    - ``StoreUnavailableError``: network trouble or a retryable answer; try again later.
    - ``CredentialsError``: the store refused our keys; nothing will work until they are fixed.
    - ``UploadTargetError``: the bucket does not exist.
    - ``UploadError``: anything else the store rejects.
    """

    def __init__(self, client: Any, cfg: UploadConfig) -> None:
        self.client = client
        self.bucket = cfg.bucket
        self.endpoint = cfg.endpoint
        self._throttle = Throttle(cfg.max_kbytes_per_s * 1024) if cfg.max_kbytes_per_s else None

    @classmethod
    def connect(cls, cfg: UploadConfig, creds: S3Credentials) -> ObjectStore:
        """Build the client (no network traffic yet)."""
        import botocore.session  # deferred: ~35 MiB and ~0.2 s that a booth without uploads never pays
        from botocore.config import Config as BotoConfig

        boto_cfg = BotoConfig(
            connect_timeout=cfg.connect_timeout_s, read_timeout=cfg.read_timeout_s,
            retries={"total_max_attempts": 1, "mode": "standard"},
            request_checksum_calculation="when_required", response_checksum_validation="when_required",
            s3={"addressing_style": "path", "payload_signing_enabled": False},
            max_pool_connections=2, tcp_keepalive=True,
        )
        session = botocore.session.Session()
        try:
            client = session.create_client(
                "s3", endpoint_url=cfg.endpoint, region_name=cfg.region, config=boto_cfg,
                aws_access_key_id=creds.access_key_id, aws_secret_access_key=creds.secret_access_key)
        except ValueError as exc:
            raise UploadError(f"[upload] endpoint = {cfg.endpoint!r}: {exc}; expected a URL like "
                              f"http://host:8333") from None
        return cls(client, cfg)

    # -- calls ---------------------------------------------------------------------------------------------

    def check(self) -> None:
        """Raise unless the bucket exists and the credentials are accepted (for ``doctor``)."""
        try:
            self._call("head_bucket")
        except _NotFound:
            raise UploadTargetError(f"{self.endpoint}: bucket {self.bucket!r} does not exist; create it or fix "
                                    f"[upload] bucket") from None

    def head(self, key: str) -> ObjectInfo | None:
        """The object's size, ETag and metadata, or ``None`` if it does not exist."""
        try:
            r = self._call("head_object", Key=key)
        except _NotFound:
            return None
        return ObjectInfo(int(r["ContentLength"]), _etag(r["ETag"]), dict(r.get("Metadata", {})))

    def put(self, key: str, data: bytes, *, md5: bytes, sha256: bytes | None = None,
            metadata: Mapping[str, str] | None = None, content_type: str = "application/octet-stream") -> str:
        """Upload a whole object; the store checks Content-MD5 (and the sha256 when given). Returns the ETag."""
        extra: dict[str, Any] = {"ChecksumSHA256": b64(sha256)} if sha256 is not None else {}
        r = self._call("put_object", Key=key, Body=self._body(data), ContentMD5=b64(md5), ContentLength=len(data),
                       Metadata=dict(metadata or {}), ContentType=content_type, **extra)
        return _etag(r["ETag"])

    def create_multipart(self, key: str, *, metadata: Mapping[str, str], content_type: str) -> str:
        """Start a multipart upload and return its UploadId."""
        r = self._call("create_multipart_upload", Key=key, Metadata=dict(metadata), ContentType=content_type)
        return str(r["UploadId"])

    def upload_part(self, key: str, upload_id: str, number: int, data: bytes | FileSlice, *, md5: bytes) -> str:
        """Send one part with its Content-MD5 (the store rejects a body that does not match); returns its ETag."""
        r = self._call("upload_part", Key=key, UploadId=upload_id, PartNumber=number, Body=self._body(data),
                       ContentMD5=b64(md5), ContentLength=len(data))
        return _etag(r["ETag"])

    def list_parts(self, key: str, upload_id: str) -> dict[int, Part] | None:
        """The parts the store holds for an upload, or ``None`` if the upload no longer exists."""
        parts: dict[int, Part] = {}
        marker = 0
        while True:
            try:
                r = self._call("list_parts", Key=key, UploadId=upload_id, PartNumberMarker=marker)
            except _NoSuchUpload:
                return None
            for p in r.get("Parts", []):
                parts[int(p["PartNumber"])] = Part(int(p["PartNumber"]), _etag(p["ETag"]), int(p["Size"]))
            if not r.get("IsTruncated"):
                return parts
            marker = int(r["NextPartNumberMarker"])

    def complete(self, key: str, upload_id: str, etags: Mapping[int, str]) -> str:
        """Join the parts into the object; returns the object's ETag."""
        parts = [{"PartNumber": n, "ETag": f'"{etags[n]}"'} for n in sorted(etags)]
        r = self._call("complete_multipart_upload", Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts})
        return _etag(r["ETag"])

    def abort(self, key: str, upload_id: str) -> None:
        """Abort an upload; an upload that is already gone counts as aborted."""
        with contextlib.suppress(_NoSuchUpload, _NotFound):
            self._call("abort_multipart_upload", Key=key, UploadId=upload_id)

    def list_uploads(self, prefix: str) -> list[tuple[str, str]]:
        """(key, UploadId) of every unfinished multipart upload under ``prefix``."""
        found: list[tuple[str, str]] = []
        kwargs: dict[str, Any] = {"Prefix": prefix}
        while True:
            r = self._call("list_multipart_uploads", **kwargs)
            found += [(u["Key"], u["UploadId"]) for u in r.get("Uploads", [])]
            if not r.get("IsTruncated"):
                return found
            kwargs.update(KeyMarker=r.get("NextKeyMarker", ""), UploadIdMarker=r.get("NextUploadIdMarker", ""))

    def when_request(self, operation: str, callback: Callable[..., None]) -> None:
        """Call ``callback(**kwargs)`` just before each HTTP request of ``operation`` (e.g. "UploadPart") is sent."""
        self.client.meta.events.register(f"before-send.s3.{operation}", callback)

    # -- internals -----------------------------------------------------------------------------------------

    def _body(self, data: bytes | FileSlice) -> bytes | FileSlice | ThrottledReader:
        return ThrottledReader(data, self._throttle) if self._throttle else data

    def _call(self, method: str, **kwargs: Any) -> dict[str, Any]:
        from botocore.exceptions import BotoCoreError, ClientError, ConnectionError, HTTPClientError

        try:
            return getattr(self.client, method)(Bucket=self.bucket, **kwargs)
        except ClientError as exc:
            raise self._translate(exc, kwargs.get("Key", "")) from None
        except (ConnectionError, HTTPClientError) as exc:
            raise StoreUnavailableError(f"{self.endpoint}: cannot reach the store ({_short(exc)})") from None
        except BotoCoreError as exc:
            raise UploadError(f"{self.endpoint}: {_short(exc)}") from None

    def _translate(self, exc: Any, key: str) -> Exception:
        err = exc.response.get("Error", {})
        code = str(err.get("Code", ""))
        status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
        where = f"{self.endpoint}/{self.bucket}/{key}".rstrip("/")
        if code == "NoSuchUpload":
            return _NoSuchUpload(where)
        if code in ("404", "NoSuchKey", "NotFound"):
            return _NotFound(where)
        if code in AUTH_CODES or status == 403:
            return CredentialsError(f"{self.endpoint}: the store refused the credentials ({code or status}); "
                                    f"check access_key_id/secret_access_key in the credentials file and that "
                                    f"the key may write to bucket {self.bucket!r}")
        if code == "NoSuchBucket":
            return UploadTargetError(f"{self.endpoint}: bucket {self.bucket!r} does not exist; create it or fix "
                               f"[upload] bucket")
        if code in RETRY_CODES or status >= 500 or status == 429:
            return StoreUnavailableError(f"{where}: store answered {code or status}, will retry")
        return UploadError(f"{where}: store rejected the request: {code or status} {err.get('Message', '')}".strip())


class _NotFound(UploadError):
    """404 on HEAD: the object does not exist."""


class _NoSuchUpload(UploadError):
    """The multipart upload was completed, aborted or expired."""


def _etag(value: str) -> str:
    return value.strip('"')


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]


def describe(cfg: UploadConfig, creds: S3Credentials | None) -> dict[str, str]:
    """Upload target for status output: endpoint, bucket, prefix and where the keys came from, never the keys."""
    return {"endpoint": cfg.endpoint, "bucket": cfg.bucket, "prefix": cfg.prefix,
            "credentials": creds.source if creds else "(not loaded)"}
