"""``magicbooth record`` and ``magicbooth clips list|show|delete`` through the real CLI."""

from __future__ import annotations

import json

import pytest
from conftest import write_clip
from recorder_support import read_back

from magicbooth.cli import main
from magicbooth.library.clips import iter_clips, update_sidecar


@pytest.fixture
def setup(tmp_path):
    """A config that reads a 45-frame file offline (as fast as it decodes) and keeps clips in tmp."""
    video = write_clip(tmp_path / "in.mp4", 45)
    clips = tmp_path / "clips"
    cfg = tmp_path / "magicbooth.toml"
    cfg.write_text(f'[camera]\nsource = "{video}"\nrealtime = false\nloop = false\n'
                   f'[storage]\nclips_dir = "{clips}"\nmin_free_mb = 0\nlow_free_mb = 0\n')
    return str(cfg), clips


def record(cfg: str, *extra: str) -> int:
    return main(["--config", cfg, "record", *extra])


def test_record_writes_one_clip_of_the_asked_length_with_pre_roll(setup, capsys):
    cfg, clips = setup
    assert record(cfg, "--seconds", "0.5", "--pre-roll", "0.5") == 0
    (clip,) = iter_clips(clips)
    got = read_back(clip.video)
    assert got["frames"] == 30                 # 0.5 s of pre-roll + 0.5 s, at the file's 30 fps
    assert got["duration_s"] == pytest.approx(1.0, abs=0.04)
    assert clip.meta["pre_roll_s"] == pytest.approx(0.5, abs=0.04)
    assert f"saved {clip.video}" in capsys.readouterr().out


def test_record_stops_at_the_end_of_a_file(setup):
    cfg, clips = setup
    assert record(cfg, "--seconds", "60", "--pre-roll", "0") == 0
    (clip,) = iter_clips(clips)
    assert read_back(clip.video)["frames"] == 45


def test_record_with_an_unknown_effect_is_one_error_line(setup, capsys):
    cfg, clips = setup
    assert record(cfg, "--effect", "nope") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown effect 'nope'" in err and "Traceback" not in err
    assert not list(iter_clips(clips))


def test_clips_list_show_and_delete(setup, capsys, monkeypatch):
    cfg, clips = setup
    record(cfg, "--seconds", "0.5", "--pre-roll", "0")
    record(cfg, "--seconds", "0.5", "--pre-roll", "0")
    first, second = iter_clips(clips)
    update_sidecar(first.video, upload_state="uploaded")
    capsys.readouterr()

    assert main(["--config", cfg, "clips"]) == 0
    out = capsys.readouterr().out
    assert first.id in out and second.id in out and "uploaded" in out and "0.5 s" in out
    assert "storage ok" in out

    assert main(["--config", cfg, "clips", "show", second.id[:-2]]) == 0       # a unique prefix
    assert "sha256" in capsys.readouterr().out

    assert main(["--config", cfg, "clips", "show", "--json", first.id]) == 0
    assert json.loads(capsys.readouterr().out)["upload_state"] == "uploaded"

    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert main(["--config", cfg, "clips", "delete", second.id]) == 2          # no --yes, no terminal
    assert "--yes" in capsys.readouterr().err
    assert second.video.exists()

    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    assert main(["--config", cfg, "clips", "delete", second.id]) == 1
    assert second.video.exists()

    assert main(["--config", cfg, "clips", "delete", "--yes", second.id]) == 0
    assert not second.video.exists() and not second.sidecar.exists()
    assert [c.id for c in iter_clips(clips)] == [first.id]

    assert main(["--config", cfg, "clips", "show", "nosuchclip"]) == 2
    assert "no clip with id 'nosuchclip'" in capsys.readouterr().err


def test_record_hands_the_clip_to_the_upload_queue_when_uploads_are_configured(setup, tmp_path):
    cfg, clips = setup
    with open(cfg, "a") as fh:
        fh.write(f'[device]\nstate_dir = "{tmp_path / "state"}"\n'
                 '[upload]\nendpoint = "http://127.0.0.1:9"\nbucket = "booth"\n')
    assert record(cfg, "--seconds", "0.5", "--pre-roll", "0") == 0
    (clip,) = iter_clips(clips)
    assert clip.upload_state == "queued"                   # the queue's own bookkeeping in the sidecar
    assert (tmp_path / "state" / "uploads.sqlite3").exists()
