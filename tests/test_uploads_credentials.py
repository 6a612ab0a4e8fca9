"""Credentials files: 0600 only, systemd LoadCredential= first, secrets never echoed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from upload_helpers import write_credentials

from magicbooth.core.errors import CredentialsError
from magicbooth.upload.credentials import credentials_path, load_credentials

SECRET = "s3cr3t-Value-42"


def test_private_file_is_read(tmp_path: Path) -> None:
    path = write_credentials(tmp_path / "s3.toml", "AKID", SECRET)
    creds = load_credentials(path)
    assert (creds.access_key_id, creds.secret_access_key, creds.source) == ("AKID", SECRET, str(path))
    assert SECRET not in repr(creds) and SECRET not in str(creds)


@pytest.mark.parametrize("mode", [0o640, 0o644, 0o604, 0o660, 0o602])
def test_group_or_world_access_is_refused(tmp_path: Path, mode: int) -> None:
    path = write_credentials(tmp_path / "s3.toml", "AKID", SECRET, mode=mode)
    with pytest.raises(CredentialsError, match=r"readable or writable by its group or other users.*chmod 600") as info:
        load_credentials(path)
    assert str(path) in str(info.value) and SECRET not in str(info.value)
    assert isinstance(info.value, PermissionError)


def test_read_only_owner_file_is_fine(tmp_path: Path) -> None:
    assert load_credentials(write_credentials(tmp_path / "s3.toml", "AKID", SECRET, mode=0o400)).access_key_id == "AKID"


def test_missing_file_says_how_to_fix(tmp_path: Path) -> None:
    with pytest.raises(CredentialsError, match="not found; create it"):
        load_credentials(tmp_path / "nope.toml")


@pytest.mark.parametrize(("text", "message"), [
    (f'access_key_id = "AKID"\nsecret_access_key = "{SECRET}', "not valid TOML"),
    ('access_key_id = "AKID"\n', "secret_access_key is missing"),
    (f'access_key_id = ""\nsecret_access_key = "{SECRET}"\n', "access_key_id is missing or empty"),
    (f'access_key_id = "AKID"\nsecret_access_key = "{SECRET}"\nregion = "x"\n', "unknown key region"),
])
def test_bad_contents_are_named_without_echoing_the_secret(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "s3.toml"
    path.write_text(text)
    os.chmod(path, 0o600)
    with pytest.raises(CredentialsError, match=message) as info:
        load_credentials(path)
    assert SECRET not in str(info.value)


def test_systemd_credential_wins_over_configured_file(tmp_path: Path) -> None:
    creds_dir = tmp_path / "creds"
    creds_dir.mkdir()
    write_credentials(creds_dir / "s3.toml", "FROM-SYSTEMD", SECRET, mode=0o400)
    path = credentials_path("/etc/magicbooth/s3.toml", {"CREDENTIALS_DIRECTORY": str(creds_dir)})
    assert path == creds_dir / "s3.toml"
    assert load_credentials(path).access_key_id == "FROM-SYSTEMD"
    assert credentials_path("/etc/x.toml", {"CREDENTIALS_DIRECTORY": str(tmp_path / "empty")}) == Path("/etc/x.toml")
    with pytest.raises(CredentialsError, match="credentials_file is empty"):
        credentials_path("", {})


def test_blank_systemd_credential_counts_as_none(tmp_path: Path) -> None:
    """magicbooth-upload.service's SetCredential= fallback (one newline) while the keys file did not exist."""
    creds_dir = tmp_path / "creds"
    creds_dir.mkdir()
    (creds_dir / "s3.toml").write_text("\n")
    configured = tmp_path / "s3.toml"
    assert credentials_path(str(configured), {"CREDENTIALS_DIRECTORY": str(creds_dir)}) == configured
    with pytest.raises(CredentialsError, match=r"not found; create it.*owned by root.*systemctl restart"):
        load_credentials(configured)


def test_roots_keys_file_read_by_another_user_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_credentials(tmp_path / "s3.toml", "AKID", SECRET)

    def denied(self: Path, *args: object, **kwargs: object) -> str:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_text", denied)   # the service user reading root's 0600 file
    with pytest.raises(CredentialsError, match=r"permission denied\. It is root's: run this as root, or let "
                                               r"systemd pass it \(LoadCredential="):
        load_credentials(path)


def test_cli_refuses_loose_credentials_in_one_line(tmp_path: Path) -> None:
    import subprocess
    import sys

    loose = write_credentials(tmp_path / "s3.toml", "AKID", SECRET, mode=0o644)
    config = tmp_path / "magicbooth.toml"
    config.write_text(f'[device]\nstate_dir = "{tmp_path}"\n[upload]\nendpoint = "http://127.0.0.1:9"\n'
                      f'bucket = "clips"\ncredentials_file = "{loose}"\n')
    done = subprocess.run([sys.executable, "-m", "magicbooth.cli", "--config", str(config), "upload", "--once"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert lines == [f"magicbooth: error: {loose}: credentials file is readable or writable by its group or other "
                     f"users (mode 0644); refusing to use it. Fix with 'chmod 600 {loose}'"]
    assert SECRET not in done.stdout + done.stderr
