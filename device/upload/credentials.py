"""S3 credentials from a private TOML file or systemd's ``LoadCredential=``.

The file holds exactly two keys::

    access_key_id = "..."
    secret_access_key = "..."

Under systemd, ``LoadCredential=s3.toml:/etc/magicbooth/s3.toml`` hands the
service a private copy in ``$CREDENTIALS_DIRECTORY/s3.toml``; that copy wins
over ``[upload] credentials_file``. The file itself stays root's (0600), so
the service user cannot read it directly; a blank copy (the unit's
``SetCredential=`` fallback while the file did not exist) counts as none. A file that its group or other users may
read is refused: a leaked key uploads into everyone's bucket. Error messages
name the file, never its contents.

``load_credentials(credentials_path(config.upload.credentials_file))`` reads and checks the file; the
secret never shows up in a repr or a log line:

>>> S3Credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
S3Credentials(access_key_id='AKIAIOSFODNN7EXAMPLE', secret_access_key='***')
"""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from magicbooth.core.errors import CredentialsError

CREDENTIAL_NAME = "s3.toml"
KEYS = ("access_key_id", "secret_access_key")


@dataclass(frozen=True)
class S3Credentials:
    """An access key pair; ``source`` says where it came from (a path, safe to show)."""

    access_key_id: str
    secret_access_key: str = field(repr=False)
    source: str = ""

    def __repr__(self) -> str:
        return f"S3Credentials(access_key_id={self.access_key_id!r}, secret_access_key='***')"


def credentials_path(configured: str, environ: Mapping[str, str] = os.environ) -> Path:
    """The file to read: ``$CREDENTIALS_DIRECTORY/s3.toml`` if systemd passed one, else ``configured``."""
    directory = environ.get("CREDENTIALS_DIRECTORY")
    if directory:
        passed = Path(directory) / CREDENTIAL_NAME
        try:
            if passed.is_file() and passed.read_bytes().strip():
                return passed
        except OSError:
            pass
    if not configured:
        raise CredentialsError("[upload] credentials_file is empty and systemd passed no s3.toml credential; "
                               "set credentials_file to a 0600 TOML file with access_key_id and secret_access_key")
    return Path(configured)


def load_credentials(path: Path) -> S3Credentials:
    """Read and check a credentials file; raises ``CredentialsError`` with a fix-it message."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise CredentialsError(f"{path}: credentials file not found; create it with access_key_id and "
                               f"secret_access_key, then 'chmod 600 {path}' (under systemd: owned by root, "
                               f"then 'systemctl restart magicbooth-upload')") from None
    except OSError as exc:
        raise CredentialsError(f"{path}: cannot read credentials file: {exc.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        raise CredentialsError(f"{path}: credentials file is not a regular file")
    loose = stat.S_IMODE(info.st_mode) & 0o077
    if loose:
        raise CredentialsError(f"{path}: credentials file is readable or writable by its group or other users "
                               f"(mode {stat.S_IMODE(info.st_mode):04o}); refusing to use it. "
                               f"Fix with 'chmod 600 {path}'")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except PermissionError:
        raise CredentialsError(f"{path}: cannot read credentials file: permission denied. It is root's: run this "
                               f"as root, or let systemd pass it (LoadCredential= in magicbooth-upload.service, "
                               f"read when the service starts: 'systemctl restart magicbooth-upload')") from None
    except OSError as exc:
        raise CredentialsError(f"{path}: cannot read credentials file: {exc.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        # The parser's message may quote the secret, so it is not repeated here.
        raise CredentialsError(f"{path}: credentials file is not valid TOML; expected "
                               f'access_key_id = "..." and secret_access_key = "..."') from None
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        raise CredentialsError(f"{path}: unknown key {unknown[0]}; expected only {' and '.join(KEYS)}")
    for key in KEYS:
        value = data.get(key)
        if not isinstance(value, str) or not value:
            raise CredentialsError(f"{path}: {key} is missing or empty; expected {key} = \"...\"")
    return S3Credentials(data["access_key_id"], data["secret_access_key"], str(path))
