"""Messages that say what happened, where, and how to fix it (one line, exit status 2)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_clip

from magicbooth.cli import main


@pytest.mark.parametrize("command", [["record", "--seconds", "0.2"], ["clips"]])
def test_clips_dir_pointing_at_a_file(tmp_path: Path, command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "clips"
    blocker.write_text("I am a file")
    source = write_clip(tmp_path / "in.mp4", 10)
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[camera]\nsource = "{source}"\nrealtime = false\nloop = false\n'
                   f'[storage]\nclips_dir = "{blocker}"\nmin_free_mb = 0\nlow_free_mb = 0\n')
    assert main(["--config", str(cfg), *command]) == 2
    err = capsys.readouterr().err
    assert err.count("magicbooth: error:") == 1 and "File exists" not in err
    assert f"{blocker}: the clip library is a file, not a folder; set [storage] clips_dir" in err
    assert blocker.read_text() == "I am a file"
