"""Every usage example written as ``>>>`` in the code runs here as a doctest, so none can name an API that
does not exist. Examples that need a camera, models or a server are written as plain ``Usage::`` blocks.
"""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = {"device": "magicbooth", "effects": "magicbooth.effects"}   # folder -> import name (package-dir)
PROMPT = ">" * 3


def _example_lines(path: Path) -> int:
    return sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.lstrip(" #").startswith(PROMPT))


def _module_name(path: Path) -> str:
    folder, *parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join([PACKAGES[folder], *parts]).removesuffix(".__init__")


def _with_examples() -> list[Path]:
    return [p for folder in PACKAGES for p in sorted((ROOT / folder).rglob("*.py")) if _example_lines(p)]


@pytest.mark.parametrize("path", _with_examples(), ids=lambda p: str(p.relative_to(ROOT)))
def test_examples_run(path: Path) -> None:
    module = importlib.import_module(_module_name(path))
    tests = [t for t in doctest.DocTestFinder().find(module) if t.examples]
    collected = sum(len(t.examples) for t in tests)
    assert collected == _example_lines(path), (
        f"{path.name}: {_example_lines(path)} example lines but doctest collects {collected}; an example "
        f"outside a docstring doctest finds (a comment, a nested function) never runs: make it prose")
    report: list[str] = []
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in tests:
        runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)


def test_examples_are_found_at_all() -> None:
    assert len(_with_examples()) >= 10


def test_tools_and_tests_write_usage_as_prose() -> None:
    """Scripts and test helpers are not importable modules of the package, so examples there could not run."""
    this = Path(__file__).resolve()
    found = [str(p.relative_to(ROOT)) for folder in ("tools", "tests") for p in sorted((ROOT / folder).rglob("*.py"))
             if p != this and _example_lines(p)]
    assert found == []
