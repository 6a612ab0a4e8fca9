"""ARM instruction counts per invoke, through the shared arm64 emulation (``run.sh`` with ``markcount``), cached.

Counts are deterministic and stand in for Raspberry Pi speed: Cortex-A72 (Pi 4,
no int8 dot product) and Cortex-A76 (Pi 5, with it). They are not times.

Many models are counted in one emulated Python process (``armcount_guest.py``):
start-up under qemu costs more than most invokes. Each count is cached by the
model's sha256, the CPU and the guest's LiteRT, in ``~/.cache/magicbooth/arm-counts.json``,
so a search that revisits a graph, or a report after a search, counts nothing twice.

Usage::

    counter = Counter.find()                              # None where the emulation is not installed
    counter.count({"det": model_bytes}, "cortex-a76")     # {'det': 15985235}
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

CPUS = ("cortex-a72", "cortex-a76")
BATCH = 150  # models per emulated process: bounds one run's temporary files and the damage of a crash
_GUEST = Path(__file__).with_name("armcount_guest.py")
_MARK = re.compile(r"markcount: mark tag=(\d+) vcpu=\d+ thread_insns=(\d+) all_insns=(\d+)")
_GUEST_PYTHON = "/opt/venv/bin/python"
_LITERT = "opt/venv/lib/python3.11/site-packages"


def default_tools() -> Path | None:
    """The shared arm64 tools: ``$ARM64_TOOLS``, else ``shared/tools/arm64`` beside a parent of this checkout."""
    if os.environ.get("ARM64_TOOLS"):
        return Path(os.environ["ARM64_TOOLS"])
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / "tools" / "arm64"
        if (candidate / "run.sh").is_file():
            return candidate
    return None


def default_cache() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "magicbooth" / "arm-counts.json"


class Counter:
    """Counts ARM instructions of one warm invoke (1 thread, XNNPACK) per model, with a disk cache."""

    def __init__(self, tools: Path, cache: Path | None = None, rootfs: Path | None = None) -> None:
        self.tools = tools
        self.cache_path = cache or default_cache()
        self.rootfs = rootfs or Path(os.environ.get("ROOTFS", "/opt/arm64-bookworm"))
        self._cache: dict[str, dict[str, int]] = self._load()

    @classmethod
    def find(cls, tools: Path | None = None) -> Counter | None:
        """A counter over ``tools`` (default: ``default_tools()``), or None if the emulation is not there."""
        tools = tools or default_tools()
        if tools is None or not (tools / "run.sh").is_file():
            return None
        return cls(tools)

    @property
    def guest(self) -> str:
        """What decides the counts besides the model and CPU: the guest's LiteRT (XNNPACK is inside it)."""
        found = sorted(p.name for p in (self.rootfs / _LITERT).glob("ai_edge_litert-*.dist-info"))
        return found[0].removesuffix(".dist-info") if found else "unknown-litert"

    def count(self, models: Mapping[str, bytes], cpu: str) -> dict[str, int | None]:
        """Instructions of one warm invoke of each model on ``cpu``; None for a model the guest could not run."""
        digests = {key: hashlib.sha256(data).hexdigest() for key, data in models.items()}
        table = self._cache.setdefault(f"{self.guest} {cpu}", {})
        missing = {digest: models[key] for key, digest in digests.items() if digest not in table}
        pending = list(missing.items())
        for start in range(0, len(pending), BATCH):
            found = self._run(dict(pending[start:start + BATCH]), cpu)
            table.update({digest: value for digest, value in found.items() if value is not None})
            self._save()
        return {key: table.get(digest) for key, digest in digests.items()}

    def _run(self, models: dict[str, bytes], cpu: str) -> dict[str, int | None]:
        with tempfile.TemporaryDirectory(prefix="armcount-") as folder:
            work = Path(folder)
            names = []
            for digest, data in models.items():
                (work / f"{digest}.tflite").write_bytes(data)
                names.append(f"{digest}.tflite")
            (work / "index.txt").write_text("\n".join(names) + "\n", encoding="utf-8")
            done = self.run_guest(_GUEST, work, cpu, plugin="markcount")
        return dict(zip(models, parse(done.stdout + done.stderr, len(models)), strict=True))

    def run_guest(self, script: Path, work: Path, cpu: str, plugin: str | None = None) -> subprocess.CompletedProcess:
        """Run ``script`` (copied into ``work``, seen as ``/models``) on the emulated ``cpu`` with the guest venv."""
        shutil.copy(script, work / script.name)
        return subprocess.run(
            [str(self.tools / "run.sh"), "--cpu", cpu, "-e", "OPENBLAS_NUM_THREADS=1", "-e", "PYTHONHASHSEED=0",
             "-b", f"{work}:/models", *(["--plugin", plugin] if plugin else []), "--", _GUEST_PYTHON,
             f"/models/{script.name}", "/models"], capture_output=True, text=True, check=False, timeout=3600)

    def _load(self) -> dict[str, dict[str, int]]:
        try:
            data = json.loads(self.cache_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _save(self) -> None:
        self.cache_path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.cache_path.with_suffix(".tmp")
        temporary.write_text(json.dumps(self._cache, indent=0, sort_keys=True), encoding="utf-8")
        temporary.replace(self.cache_path)


def parse(log: str, count: int) -> list[int | None]:
    """Per model k, the instructions between markers 10+2k and 11+2k, less the marker pair's own cost (3, 4)."""
    marks: dict[int, int] = {}
    for line in log.splitlines():
        found = _MARK.match(line)
        if found:
            marks[int(found[1])] = int(found[3])
    overhead = marks[4] - marks[3] if 3 in marks and 4 in marks else 0
    return [marks[11 + 2 * k] - marks[10 + 2 * k] - overhead if 10 + 2 * k in marks and 11 + 2 * k in marks
            else None for k in range(count)]
