"""The CPU class decides which int8 graph loads: /proc/cpuinfo's asimddp on ARM, x86-64 by machine, else the default."""

from __future__ import annotations

import logging
import shutil
import tomllib
from pathlib import Path

import pytest
import tomli_w

from magicbooth.core.errors import ModelError
from magicbooth.inference import cpu
from magicbooth.inference.loader import MODELS_DIR, load_model, pick, read_manifest

NAME = "face_detection_short_range"
# Two real /proc/cpuinfo bodies, shortened: a Raspberry Pi 4 (Cortex-A72) and a Pi 5 (Cortex-A76).
PI4 = """processor\t: 0
BogoMIPS\t: 108.00
Features\t: fp asimd evtstrm crc32 cpuid
CPU implementer\t: 0x41
CPU part\t: 0xd08
"""
PI5 = """processor\t: 0
BogoMIPS\t: 108.00
Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp
CPU implementer\t: 0x41
CPU part\t: 0xd0b
"""


def _cpuinfo(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cpuinfo"
    path.write_text(text)
    return path


def test_pi5_features_mean_the_dot_product_class(tmp_path: Path) -> None:
    found = cpu.detect(_cpuinfo(tmp_path, PI5), machine="aarch64")
    assert found.name == "arm_dotprod" and "asimddp" in found.evidence


def test_pi4_features_mean_the_class_without_dot_product(tmp_path: Path) -> None:
    assert cpu.detect(_cpuinfo(tmp_path, PI4), machine="aarch64").name == "arm"
    assert cpu.cpu_class(_cpuinfo(tmp_path, PI4), machine="armv7l") == "arm"  # 32-bit Pi OS on a Pi 4


def test_x86_unknown_and_unreadable(tmp_path: Path) -> None:
    assert cpu.cpu_class(_cpuinfo(tmp_path, PI5), machine="x86_64") == "x86_64"
    assert cpu.cpu_class(_cpuinfo(tmp_path, PI5), machine="riscv64") == cpu.DEFAULT
    unreadable = cpu.detect(tmp_path / "missing", machine="aarch64")
    assert unreadable.name == cpu.DEFAULT and "unreadable" in unreadable.evidence


@pytest.fixture
def two_graphs(tmp_path: Path) -> Path:
    """A copy of the shipped models where the detector has a second int8 graph, for arm_dotprod only."""
    target = tmp_path / "models"
    shutil.copytree(MODELS_DIR, target, ignore=shutil.ignore_patterns("REPORT.*"))
    path = target / "manifest.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    entry = data["models"][NAME]
    shutil.copy(target / entry["int8"]["file"], target / f"{NAME}_int8_dotprod.tflite")
    entry["int8_dotprod"] = {**entry["int8"], "file": f"{NAME}_int8_dotprod.tflite", "cpus": ["arm_dotprod"]}
    entry["int8"]["cpus"] = ["arm", "x86_64"]
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    return target


def test_loader_picks_the_graph_listed_for_the_class(two_graphs: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="magicbooth.inference.loader"):
        model = load_model(NAME, threads=1, models_dir=two_graphs, cpu="arm_dotprod")
    assert model.variant == "int8_dotprod" and model.picked_for is not None
    assert model.picked_for.name == "arm_dotprod"
    assert "int8_dotprod, the graph for CPU class arm_dotprod" in caplog.text
    assert load_model(NAME, threads=1, models_dir=two_graphs, cpu="arm").variant == "int8"
    assert load_model(NAME, threads=1, models_dir=two_graphs, cpu="x86_64").variant == "int8"
    assert load_model(NAME, threads=1, models_dir=two_graphs, cpu="sparc").variant == "int8"  # the default class's


def test_an_explicit_key_loads_that_file(two_graphs: Path) -> None:
    model = load_model(NAME, threads=1, models_dir=two_graphs, variant="int8_dotprod", cpu="arm")
    assert model.variant == "int8_dotprod" and model.picked_for is None
    # 'int8' is a key like any other, not "the graph for this CPU": the report measures each graph by its key
    assert load_model(NAME, threads=1, models_dir=two_graphs, variant="int8", cpu="arm_dotprod").variant == "int8"
    with pytest.raises(ModelError, match=r"unknown variant 'int8_avx'.*float, int8, int8_dotprod"):
        load_model(NAME, threads=1, models_dir=two_graphs, variant="int8_avx")


def test_a_manifest_without_classes_still_loads_its_int8_graph(tmp_path: Path) -> None:
    target = tmp_path / "models"
    shutil.copytree(MODELS_DIR, target, ignore=shutil.ignore_patterns("REPORT.*"))
    path = target / "manifest.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    for model in data["models"].values():
        for key in [k for k in model if k.startswith("int8_")]:
            del model[key]
        model["int8"].pop("cpus", None)
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    entries = read_manifest(target)
    assert pick(entries, NAME, "arm_dotprod") == "int8"
    assert load_model(NAME, threads=1, models_dir=target, cpu="arm_dotprod").variant == "int8"


def test_every_class_has_exactly_one_graph_per_shipped_model() -> None:
    entries = read_manifest()
    for name in {n for n, _ in entries}:
        graphs = [e for (n, v), e in entries.items() if n == name and v.startswith("int8")]
        for cls in cpu.CLASSES:
            assert sum(cls in g.cpus for g in graphs) == 1, (name, cls)
