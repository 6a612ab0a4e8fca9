"""Put one object into the store, verified, resumable, and never twice.

Small objects go up in one PUT with Content-MD5 (and x-amz-checksum-sha256,
so the store itself checks the sidecar's hash before it answers 200). Larger ones use our own
multipart state machine, because neither boto3 nor minio-py resumes one:

1. read the file once: sha256 (must equal the sidecar's) and each part's MD5;
2. if the object is already there with the expected ETag and size, done
   (a crash hit between CompleteMultipartUpload and our commit);
3. reuse the persisted UploadId, asking ListParts which parts the store holds;
   or create an upload and commit its UploadId before sending any part;
4. stream only the missing parts from disk, committing each ETag after its 200 OK;
5. complete, check the ETag is MD5-of-part-MD5s, HEAD-check size and sha256.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from magicbooth.core.errors import ClipIntegrityError, UploadError
from magicbooth.upload.database import QueueDB
from magicbooth.upload.store import FileSlice, ObjectStore

READ_CHUNK = 1 << 20


class Interrupted(UploadError):
    """``stopping`` was set between two parts; the upload resumes next time."""


@dataclass
class Transfer:
    """Everything one upload needs; ``when_part_sent(key, number, nbytes)`` is called after each acknowledged part."""

    store: ObjectStore
    db: QueueDB
    part_size: int
    checksum_sha256: bool = True
    stopping: threading.Event = field(default_factory=threading.Event)
    when_part_sent: Callable[[str, int, int], None] | None = None

    def upload_file(self, key: str, clip_id: str, path: Path, *, sha256_hex: str, size: int,
                    metadata: Mapping[str, str], content_type: str) -> str:
        """Upload ``path`` to ``key`` unless it is there already; returns the verified ETag."""
        done = self.db.object_etag(key)
        if done is not None:
            return done
        if size <= self.part_size:
            with path.open("rb") as fh:
                data = fh.read(size + 1)
            _check(path, hashlib.sha256(data).hexdigest(), len(data), sha256_hex, size)
            return self.upload_bytes(key, clip_id, data, metadata=metadata, content_type=content_type)
        return self._multipart(key, clip_id, path, sha256_hex, size, metadata, content_type)

    def upload_bytes(self, key: str, clip_id: str, data: bytes, *, metadata: Mapping[str, str],
                     content_type: str) -> str:
        """Upload a small object in one PUT; returns the verified ETag."""
        done = self.db.object_etag(key)
        if done is not None:
            return done
        md5 = hashlib.md5(data).digest()
        sha = hashlib.sha256(data).digest()
        # No HEAD first: a PUT of identical bytes to the same key is harmless, and cheaper than asking.
        # No HEAD after: the store checked Content-MD5 (and the sha256) before answering 200, and the
        # ETag it answers is checked here.
        etag = self.store.put(key, data, md5=md5, sha256=sha if self.checksum_sha256 else None,
                              metadata=metadata, content_type=content_type)
        _expect_etag(key, etag, md5.hex())
        self.db.record_object(key, clip_id, md5.hex(), len(data))
        return md5.hex()

    # -- multipart -----------------------------------------------------------------------------------------

    def _multipart(self, key: str, clip_id: str, path: Path, sha256_hex: str, size: int,
                   metadata: Mapping[str, str], content_type: str) -> str:
        state = self.db.multipart(key)
        part_size = state.part_size if state and state.size == size else self.part_size
        md5s = _scan(path, part_size, sha256_hex, size)
        expected = hashlib.md5(b"".join(md5s)).hexdigest() + f"-{len(md5s)}"

        held: dict[int, str] = {}
        if state is not None:
            listed = self.store.list_parts(key, state.upload_id) if state.size == size else None
            if listed is None:      # completed, aborted or expired meanwhile, or the file changed size
                if state.size != size:
                    self.store.abort(key, state.upload_id)
                self.db.forget_multipart(key)
                state = None
            else:
                held = self._reconcile(key, state.parts, listed, md5s, part_size, size)
        if state is None:
            info = self.store.head(key)
            if info and info.etag == expected and info.size == size:
                self._verify(key, size, expected, metadata)
                self.db.record_object(key, clip_id, expected, size)
                return expected
            upload_id = self.store.create_multipart(key, metadata=metadata, content_type=content_type)
            self.db.start_multipart(key, clip_id, upload_id, part_size, size)
        else:
            upload_id = state.upload_id

        with path.open("rb") as fh:
            for number, md5 in enumerate(md5s, start=1):
                if number in held:
                    continue
                if self.stopping.is_set():
                    raise Interrupted(f"{key}: stopped after {len(held)} of {len(md5s)} parts")
                offset = (number - 1) * part_size
                body = FileSlice(fh.fileno(), offset, min(part_size, size - offset))
                # Streamed from disk; if the file changed since the scan, Content-MD5 makes the store
                # reject the part, and the next attempt's scan flags the clip.
                etag = self.store.upload_part(key, upload_id, number, body, md5=md5)
                _expect_etag(f"{key} part {number}", etag, md5.hex())
                self.db.record_part(key, number, etag, len(body))
                held[number] = etag
                if self.when_part_sent:
                    self.when_part_sent(key, number, len(body))

        etag = self.store.complete(key, upload_id, held)
        _expect_etag(key, etag, expected)
        self._verify(key, size, expected, metadata)
        self.db.record_object(key, clip_id, expected, size)
        return expected

    def _reconcile(self, key: str, recorded: Mapping[int, str], listed: Mapping[int, object], md5s: list[bytes],
                   part_size: int, size: int) -> dict[int, str]:
        """Parts the store holds with the right content; our records are corrected to match the store."""
        held: dict[int, str] = {}
        for number, md5 in enumerate(md5s, start=1):
            part = listed.get(number)
            want = min(part_size, size - (number - 1) * part_size)
            ok = part is not None and part.etag == md5.hex() and part.size == want  # type: ignore[attr-defined]
            if ok:
                held[number] = md5.hex()
                if recorded.get(number) != md5.hex():
                    self.db.record_part(key, number, md5.hex(), want)   # acknowledged before our last commit
            elif number in recorded:
                self.db.forget_part(key, number)
        return held

    def abort(self, key: str) -> None:
        """Abort and forget the multipart upload of ``key``, if any."""
        state = self.db.multipart(key)
        if state is not None:
            self.store.abort(key, state.upload_id)
            self.db.forget_multipart(key)

    def _verify(self, key: str, size: int, etag: str, metadata: Mapping[str, str]) -> None:
        """HEAD the object: size, ETag and our sha256 metadata must all be what we sent."""
        info = self.store.head(key)
        if info is None:
            raise UploadError(f"{key}: object missing right after upload")
        if info.size != size or info.etag != etag:
            raise UploadError(f"{key}: store holds {info.size} bytes with ETag {info.etag}, "
                              f"expected {size} bytes with ETag {etag}")
        want = metadata.get("sha256")
        if want and info.metadata.get("sha256") != want:
            raise UploadError(f"{key}: stored sha256 metadata does not match the sidecar")


def _scan(path: Path, part_size: int, sha256_hex: str, size: int) -> list[bytes]:
    """Hash the whole file (checked against the sidecar) and return each part's MD5."""
    sha = hashlib.sha256()
    md5s: list[bytes] = []
    total = 0
    with path.open("rb") as fh:
        while True:
            md5 = hashlib.md5()
            left = part_size
            while left:
                chunk = fh.read(min(READ_CHUNK, left))
                if not chunk:
                    break
                sha.update(chunk)
                md5.update(chunk)
                left -= len(chunk)
                total += len(chunk)
            if left == part_size:
                break
            md5s.append(md5.digest())
            if left:
                break
    _check(path, sha.hexdigest(), total, sha256_hex, size)
    return md5s


def _check(path: Path, actual_sha: str, actual_size: int, sha256_hex: str, size: int) -> None:
    if actual_size != size or actual_sha != sha256_hex:
        raise ClipIntegrityError(f"{path}: file does not match its sidecar ({actual_size} bytes, sha256 "
                                 f"{actual_sha[:12]}…; sidecar says {size} bytes, {sha256_hex[:12]}…); "
                                 f"not uploaded, file kept")


def _expect_etag(what: str, etag: str, expected: str) -> None:
    if etag != expected:
        raise UploadError(f"{what}: store answered ETag {etag}, expected {expected}; data corrupted in transit")
