"""The package as static tools see it: a symlink tree staged from pyproject's package-dir.

setuptools maps device/ onto ``magicbooth`` (and effects/, models_tflite/, systemd/ onto its
subpackages); the editable install resolves that with an import hook that grimp (import-linter)
and mypy cannot follow. So we lay out ``<dest>/magicbooth/`` with a link to every entry of
device/ plus one link per mapped subpackage, and put ``<dest>`` first on the search path.
The mapping is read from pyproject.toml, so the layout has one truth.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"
LINT_IMPORTS = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"


class StagingError(ValueError):
    """pyproject's package-dir cannot be staged as a symlink tree."""


def package_dirs(pyproject: Path = PYPROJECT) -> dict[str, Path]:
    """The ``[tool.setuptools] package-dir`` table: import name -> absolute source folder."""
    table = tomllib.loads(pyproject.read_text())["tool"]["setuptools"]["package-dir"]
    return {name: (pyproject.parent / folder).resolve() for name, folder in table.items()}


def top_package(pyproject: Path = PYPROJECT) -> str:
    """The one top-level import name package-dir maps."""
    tops = [name for name in package_dirs(pyproject) if "." not in name]
    if len(tops) != 1:
        raise StagingError(f"{pyproject}: package-dir needs exactly one top-level package, found {tops}")
    return tops[0]


def stage(dest: Path, pyproject: Path = PYPROJECT) -> Path:
    """Build the symlink tree in ``dest`` (an existing folder) and return ``dest``."""
    dirs, top = package_dirs(pyproject), top_package(pyproject)
    (dest / top).mkdir()
    _link_entries(dirs[top], dest / top)
    for name in sorted(dirs, key=lambda n: n.count(".")):
        if name == top:
            continue
        target = dest.joinpath(*name.split("."))
        if target.parent.is_symlink() or not target.parent.is_dir():
            raise StagingError(f"{pyproject}: cannot stage {name}: only subpackages of {top} itself can be mapped")
        if target.is_symlink() or target.exists():
            raise StagingError(f"{pyproject}: {name} is mapped to {dirs[name]}, but {dirs[top]} "
                               f"has an entry {target.name!r} too")
        target.symlink_to(dirs[name])
    return dest


def put_on_path(pyproject: Path = PYPROJECT) -> Path:
    """Stage the package in a new temp folder and put it first on ``sys.path`` (scripts run from a checkout
    without installing it, e.g. inside the emulated Pi OS); returns the folder."""
    staged = stage(Path(tempfile.mkdtemp(prefix="magicbooth-staged-")), pyproject)
    sys.path.insert(0, str(staged))
    return staged


def unlink_folder(folder: Path) -> Path:
    """Turn a staged link to a folder into a real folder of links, so a file can be added without touching
    the source tree."""
    source = folder.resolve()
    folder.unlink()
    folder.mkdir()
    _link_entries(source, folder)
    return folder


def _link_entries(source: Path, folder: Path) -> None:
    for entry in sorted(source.iterdir()):
        if entry.name != "__pycache__":
            (folder / entry.name).symlink_to(entry)


def cache_dir(tool: str) -> Path:
    """A cache in the temp area, one per checkout, so repeated runs are quick and the tree stays clean."""
    checkout = hashlib.sha1(str(ROOT).encode()).hexdigest()[:10]
    return Path(tempfile.gettempdir()) / f"magicbooth-checks-{checkout}" / tool


def _env(staged: Path, variable: str) -> dict[str, str]:
    env = dict(os.environ)
    env[variable] = os.pathsep.join(filter(None, [str(staged), env.get(variable)]))
    return env


def run_import_linter(staged: Path, pyproject: Path = PYPROJECT,
                      cache: Path | None = None) -> subprocess.CompletedProcess[str]:
    """import-linter's ``lint-imports`` on pyproject's contracts over the staged tree (exit 0: all kept)."""
    command = [sys.executable, "-c", LINT_IMPORTS, "--no-logo", "--cache-dir",
               str(cache or cache_dir("import-linter")), str(pyproject)]
    return subprocess.run(command, cwd=staged, env=_env(staged, "PYTHONPATH"), capture_output=True, text=True,
                          timeout=300)


def run_mypy(staged: Path, pyproject: Path = PYPROJECT, cache: Path | None = None) -> subprocess.CompletedProcess[str]:
    """mypy with pyproject's [tool.mypy] over the whole staged package (exit 0: no errors)."""
    command = [sys.executable, "-m", "mypy", "--config-file", str(pyproject), "--cache-dir",
               str(cache or cache_dir("mypy")), "-p", top_package(pyproject)]
    result = subprocess.run(command, cwd=staged, env=_env(staged, "MYPYPATH"), capture_output=True, text=True,
                            timeout=600)
    result.stdout = source_paths(result.stdout, pyproject)
    return result


def source_paths(output: str, pyproject: Path = PYPROJECT) -> str:
    """Point the staged paths that start mypy's lines (``magicbooth/effects/x.py:3: ...``) at the source folders."""
    dirs = package_dirs(pyproject)
    for name in sorted(dirs, key=lambda n: -n.count(".")):
        staged = "/".join(name.split(".")) + "/"
        local = os.path.relpath(dirs[name], pyproject.parent) + "/"
        output = re.sub(rf"^{re.escape(staged)}", local, output, flags=re.MULTILINE)
    return output
