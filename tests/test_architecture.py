"""The layers (import-linter contracts in pyproject.toml) hold and the package type-checks (mypy).

Both tools read a symlink tree staged from pyproject's package-dir (tools/staged_package.py),
since neither follows setuptools' mapping of device/ onto ``magicbooth``. The failing cases
add a module to a staged copy, never to the source tree.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from tools.staged_package import (
    PYPROJECT,
    StagingError,
    package_dirs,
    run_import_linter,
    run_mypy,
    stage,
    unlink_folder,
)

SOURCE_FILES = sum(len(list(folder.rglob("*.py"))) for folder in package_dirs().values())


@pytest.fixture(scope="module")
def staged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return stage(tmp_path_factory.mktemp("staged"))


def test_the_staged_tree_holds_every_listed_package(staged: Path) -> None:
    setuptools = tomllib.loads(PYPROJECT.read_text())["tool"]["setuptools"]
    for name in setuptools["packages"]:
        assert staged.joinpath(*name.split(".")).is_dir(), name
    assert (staged / "magicbooth" / "effects").resolve() == PYPROJECT.parent / "effects"
    assert (staged / "magicbooth" / "core" / "config.py").resolve() == PYPROJECT.parent / "device/core/config.py"


def test_a_mapping_that_collides_with_a_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "src" / "sub").mkdir(parents=True)
    (tmp_path / "other").mkdir()
    (tmp_path / "pyproject.toml").write_text(
        '[tool.setuptools]\npackage-dir = { "pkg" = "src", "pkg.sub" = "other" }\n')
    (tmp_path / "out").mkdir()
    with pytest.raises(StagingError, match=r"pkg\.sub is mapped"):
        stage(tmp_path / "out", tmp_path / "pyproject.toml")


def test_the_import_contracts_are_kept(staged: Path) -> None:
    result = run_import_linter(staged)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert f"Analyzed {SOURCE_FILES} files" in output, output  # every module of every mapped folder


def test_the_package_type_checks(staged: Path) -> None:
    result = run_mypy(staged)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    checked = re.search(r"no issues found in (\d+) source files", output)
    assert checked and int(checked[1]) >= SOURCE_FILES, output


@pytest.mark.parametrize(("folder", "modules", "contract", "named"), [
    ("core", {"upward": "import magicbooth.modes.booth\n"}, "Layers point down",
     "magicbooth.core.upward -> magicbooth.modes.booth"),
    ("effects", {"upward": "import magicbooth.library.clips\n"}, "Effects import only the core",
     "magicbooth.effects.upward -> magicbooth.library.clips"),
    ("core", {"ping": "import magicbooth.core.pong\n", "pong": "import magicbooth.core.ping\n"},
     "No import cycles between sibling modules", "No cycles are allowed in magicbooth.core"),
], ids=["upward", "effects", "cycle"])
def test_a_bad_import_breaks_its_contract(tmp_path: Path, folder: str, modules: dict[str, str],
                                          contract: str, named: str) -> None:
    (tmp_path / "staged").mkdir()
    staged = stage(tmp_path / "staged")
    target = unlink_folder(staged / "magicbooth" / folder)
    for name, text in modules.items():
        (target / f"{name}.py").write_text(text)
    result = run_import_linter(staged, cache=tmp_path / "cache")
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert f"{contract} BROKEN" in output, output
    assert named in output, output


def test_a_type_error_is_reported(tmp_path: Path) -> None:
    staged = stage(tmp_path)
    (unlink_folder(staged / "magicbooth" / "core") / "wrong.py").write_text(
        "def answer() -> int:\n    return 'forty-two'\n")
    result = run_mypy(staged)
    assert result.returncode == 1, result.stdout + result.stderr
    assert 'device/core/wrong.py:2: error: Incompatible return value type (got "str", expected "int")' in result.stdout
