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


def test_doctor_survives_a_damaged_failure_record_and_escapes_what_it_quotes(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from magicbooth.core.config import Config
    from magicbooth.core.incident import FILE, record
    from magicbooth.doctor.checks import check_booth

    config = Config().replace("device", state_dir=str(tmp_path))
    (tmp_path / FILE).write_text("[" * 100_000 + "]" * 100_000)
    assert check_booth(config).detail == "no failure recorded"
    record(tmp_path, state="recording", reason="camera", exc=OSError("line one\n\x1b[2Jline two"))
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[device]\nstate_dir = "{tmp_path}"\n[camera]\nsource = "sample"\n')
    main(["--config", str(cfg), "doctor"])
    out = capsys.readouterr().out
    booth = [line for line in out.splitlines() if "booth" in line and "last failure" in line]
    assert len(booth) == 1 and r"line one\n\x1b[2Jline two" in booth[0] and "\x1b" not in out
