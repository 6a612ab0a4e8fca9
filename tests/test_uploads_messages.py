"""Upload failures that say what happened: an unreachable store says why, a credentials file never leaks
its secret through a key name, and bucket and prefix mistakes are caught by the config."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from upload_helpers import make_clip, make_config, write_credentials

from magicbooth.core.config import parse_config
from magicbooth.core.errors import ConfigError, CredentialsError, StoreUnavailableError
from magicbooth.upload.credentials import load_credentials
from magicbooth.upload.queue import UploadQueue

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize(("host", "why"), [
    (f"127.0.0.1:{_closed_port()}", "connection refused"),
    ("booth-store.invalid:8333", "does not resolve"),
])
def test_an_unreachable_endpoint_says_why_and_what_to_check(tmp_path: Path, host: str, why: str) -> None:
    cfg = make_config(tmp_path, None, endpoint=f"http://{host}")
    make_clip(tmp_path / "clips", "20261120-120000-aaaaaa")
    queue = UploadQueue(cfg, clips_root=tmp_path / "clips")
    try:
        with pytest.raises(StoreUnavailableError) as info:
            queue.run_once()
    finally:
        queue.close()
    message = str(info.value)
    assert f"http://{host}" in message and why in message
    assert "[upload] endpoint" in message and "retried" in message


def test_a_key_name_that_is_the_secret_is_never_printed(tmp_path: Path) -> None:
    path = tmp_path / "s3.toml"
    # A paste gone wrong: the secret ended up as a key name (a bare key cannot hold '/', a quoted one can).
    path.write_text(f'access_key_id = "AKID"\n"{SECRET}" = "x"\nsecret_access_key = "{SECRET}"\n')
    os.chmod(path, 0o600)
    with pytest.raises(CredentialsError) as info:
        load_credentials(path)
    assert SECRET not in str(info.value) and SECRET[:8] not in str(info.value)
    assert str(path) in str(info.value) and "line 2" in str(info.value)


def test_a_credentials_file_nested_too_deeply_is_a_credentials_error(tmp_path: Path) -> None:
    path = tmp_path / "s3.toml"
    path.write_text("a = " + "[" * 1000 + "]" * 1000 + "\n")
    os.chmod(path, 0o600)
    with pytest.raises(CredentialsError, match="not valid TOML"):
        load_credentials(path)


def test_a_credentials_file_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = write_credentials(tmp_path / "s3.toml", "AKID", SECRET)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert load_credentials(path).access_key_id == "AKID"


def test_prefix_dot_dot_is_caught_by_the_config_not_by_failing_every_clip() -> None:
    with pytest.raises(ConfigError, match=r'\[upload\] prefix = "\.\./\.\.": expected a key prefix'):
        parse_config('[upload]\nendpoint = "http://127.0.0.1:8333"\nbucket = "clips"\nprefix = "../.."\n')


def test_bucket_path_is_caught_by_the_config() -> None:
    with pytest.raises(ConfigError, match=r'\[upload\] bucket = "\.\./\.\./x": expected a bucket name: 3 to 63'):
        parse_config('[upload]\nendpoint = "http://127.0.0.1:8333"\nbucket = "../../x"\n')
