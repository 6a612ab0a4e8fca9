"""AMX refusal: on an AMX CPU, XNNPACK in a magicbooth process gets no AMX tiles (unless asked to keep them)."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

from magicbooth.inference.amx import KEEP_ENV, has_amx

ROOT = Path(__file__).resolve().parent.parent
PROBE = """
import json
from magicbooth.inference import amx
from magicbooth.inference.loader import load_model
load_model("selfie_segmentation_landscape", threads=1).invoke_rgb(__import__("numpy").zeros((144, 256, 3), "uint8"))
print(json.dumps({"state": amx.keep_xnnpack_off_amx(), "granted": amx.tile_permission_granted()}))
"""


def _probe(keep: bool) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if k != KEEP_ENV}
    if keep:
        env[KEEP_ENV] = "1"
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


# A seccomp filter is inherited by child processes, and this test process installs one as soon as any
# test loads a model. So both probes run here, at collection, before any test has run.
PROBES = {keep: _probe(keep) for keep in (False, True)} if has_amx() else {}


def test_cpu_flags_are_read(tmp_path: Path) -> None:
    with_amx, without = tmp_path / "with", tmp_path / "without"
    with_amx.write_text("processor\t: 0\nflags\t\t: fpu sse avx512f amx_bf16 amx_tile amx_int8\n")
    without.write_text("processor\t: 0\nflags\t\t: fpu sse avx2 avx512f\n")
    x86_linux = sys.platform == "linux" and platform.machine() == "x86_64"
    assert has_amx(with_amx) is x86_linux
    assert has_amx(without) is False
    assert has_amx(tmp_path / "missing") is False


@pytest.mark.skipif(not has_amx(), reason="this CPU has no AMX: nothing to refuse")
def test_loading_a_model_refuses_amx_to_xnnpack() -> None:
    assert PROBES[False] == {"state": "denied", "granted": False}


@pytest.mark.skipif(not has_amx(), reason="this CPU has no AMX: nothing to refuse")
def test_the_override_keeps_amx_and_xnnpack_takes_it() -> None:
    # Proves the probe can see a grant: XNNPACK itself asks for AMX when nothing stops it.
    assert PROBES[True] == {"state": "kept", "granted": True}
