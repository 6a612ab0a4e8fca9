"""ARM counts: the marker log read right, and each model counted once per core and guest (the cache)."""

from __future__ import annotations

from pathlib import Path

from tools.modelfactory import armcount

LOG = """some guest output
markcount: mark tag=3 vcpu=0 thread_insns=100 all_insns=100
markcount: mark tag=4 vcpu=0 thread_insns=110 all_insns=110
markcount: mark tag=10 vcpu=0 thread_insns=1000 all_insns=1000
markcount: mark tag=11 vcpu=0 thread_insns=1510 all_insns=1510
markcount: mark tag=14 vcpu=0 thread_insns=2000 all_insns=2000
markcount: mark tag=15 vcpu=0 thread_insns=2210 all_insns=2210
markcount: exit all_insns=3000
"""


def test_pairs_less_the_markers_own_cost_and_none_for_a_model_that_did_not_run() -> None:
    assert armcount.parse(LOG, 3) == [500, None, 200]


def test_counts_are_cached_by_sha256_core_and_guest(tmp_path: Path, monkeypatch) -> None:
    counter = armcount.Counter(tmp_path / "tools", cache=tmp_path / "counts.json", rootfs=tmp_path / "rootfs")
    runs: list[tuple[int, str]] = []

    def fake_run(models: dict[str, bytes], cpu: str) -> dict[str, int | None]:
        runs.append((len(models), cpu))
        return {digest: len(data) * (2 if cpu == "cortex-a76" else 3) for digest, data in models.items()}

    monkeypatch.setattr(counter, "_run", fake_run)
    assert counter.count({"a": b"xx", "b": b"yyy"}, "cortex-a72") == {"a": 6, "b": 9}
    assert counter.count({"again": b"xx"}, "cortex-a72") == {"again": 6}  # same bytes: not counted again
    assert counter.count({"a": b"xx"}, "cortex-a76") == {"a": 4}
    assert runs == [(2, "cortex-a72"), (1, "cortex-a76")]
    again = armcount.Counter(tmp_path / "tools", cache=tmp_path / "counts.json", rootfs=tmp_path / "rootfs")
    monkeypatch.setattr(again, "_run", fake_run)
    assert again.count({"b": b"yyy"}, "cortex-a72") == {"b": 9} and len(runs) == 2  # read back from disk
    assert counter.guest == "unknown-litert"  # no rootfs here: keyed apart from any real guest's counts
