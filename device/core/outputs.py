"""Files a command writes where the user said: checked first, written whole or not at all.

``check_output`` fails before any work starts when the path cannot be written (a missing folder, a
folder in its place) or is one of the command's own inputs: ``render X.mp4 X.mp4`` would otherwise
truncate its input while still reading it. ``PendingFile`` writes under a temporary name in the same
folder (same suffix, so encoders still see the format) and renames it into place only when the
``with`` block ends without an error; an error or Ctrl-C leaves the old file as it was.

Usage::

    with PendingFile(out, inputs=(src,)) as pending:
        write_everything(pending.temp)       # renamed to ``out`` when this block succeeds
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType

from magicbooth.core.errors import OutputError


def check_output(path: str | Path, inputs: Iterable[str | Path] = ()) -> Path:
    """``path`` as a ``Path`` if a file can be written there and it is none of ``inputs``; else ``OutputError``."""
    out = Path(path)
    if out.is_dir():
        raise OutputError(f"{path}: is a folder; give a file name")
    folder = out.absolute().parent
    if not folder.exists():
        raise OutputError(f"{path}: folder {folder} does not exist; create it or choose another output")
    if not folder.is_dir():
        raise OutputError(f"{path}: {folder} is not a folder; choose another output")
    for source in inputs:
        if _same_file(out, Path(source)):
            raise OutputError(f"{path}: is the same file as the input {source}; give another output name "
                              f"(writing it would destroy the input while it is read)")
    return out


def _same_file(a: Path, b: Path) -> bool:
    """Same device and inode (through symlinks, hard links, ``..``), or the same absolute path."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


class PendingFile:
    """An output written under ``temp`` and renamed to ``path`` (durably) only on success."""

    def __init__(self, path: str | Path, *, inputs: Iterable[str | Path] = ()) -> None:
        self.path = check_output(path, inputs)
        self.temp = self.path.with_name(f".{self.path.stem}.partial-{os.getpid()}{self.path.suffix}")
        try:
            os.close(os.open(self.temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644))
        except OSError as exc:
            raise OutputError(f"{path}: cannot write in {self.path.absolute().parent}: "
                              f"{exc.strerror or exc}") from None

    def commit(self) -> Path:
        """Flush the temporary file to disk and rename it over ``path``."""
        try:
            fd = os.open(self.temp, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(self.temp, self.path)
            folder = os.open(self.path.absolute().parent, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(folder)
            finally:
                os.close(folder)
        except OSError as exc:
            self.discard()
            raise OutputError(f"{self.path}: cannot finish writing: {exc.strerror or exc}") from None
        return self.path

    def discard(self) -> None:
        """Remove the temporary file (the output keeps its old contents, if it had any)."""
        self.temp.unlink(missing_ok=True)

    def __enter__(self) -> PendingFile:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        if kind is None:
            self.commit()
        else:
            self.discard()
