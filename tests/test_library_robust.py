"""One bad file must not stop the booth: a damaged sidecar is reported, set aside and rebuilt from its video;
a sidecar whose video is gone is listed and removable; no part of magicbooth follows a symbolic link out of
the clip library (day folders, videos, sidecars, .partial)."""

from __future__ import annotations

import json
import os
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import av
import pytest
from _modes_support import PressThenTerm, Systemd
from conftest import write_clip
from upload_helpers import make_clip

from magicbooth.cli import main
from magicbooth.core.config import StorageConfig
from magicbooth.library.clips import iter_clips, read_sidecar, update_sidecar, write_sidecar
from magicbooth.library.storage import enforce_retention
from magicbooth.modes.launch import run_mode
from magicbooth.recording import finalise

GOOD = "20261120-120000-aaaaaa"
BAD = "20261120-130000-bbbbbb"
DAY = "2026-11-20"


def _meta(**changes: Any) -> bytes:
    meta = {"id": BAD, "started_at": f"{DAY}T13:00:00+00:00", "duration_s": 0.1, "frames": 3, "effect": "none",
            "upload_state": "off", "upload_error": ""}
    return json.dumps({**meta, **changes}).encode()


CORRUPT: dict[str, bytes | None] = {
    "truncated": _meta()[:25],
    "empty": b"",
    "binary": bytes(range(256)) * 4,
    "a folder": None,
    "a list": b"[]",
    "null": b"null",
    "duration null": _meta(duration_s=None),
    "effect 7": _meta(effect=7),
    "frames as text": _meta(frames="3"),
    "NaN duration": _meta().replace(b'"duration_s": 0.1', b'"duration_s": NaN'),
    "unknown state": _meta(upload_state="sent"),
    "id of another path": _meta(id="../../etc/x"),
    "nested too deeply": b"[" * 100_000 + b"]" * 100_000,
}


@pytest.fixture
def library(tmp_path: Path) -> tuple[str, Path]:
    """A config recording from a 30-frame file into ``clips`` with two clips: GOOD and BAD (sidecar to break)."""
    clips = tmp_path / "clips"
    make_clip(clips, GOOD)
    make_clip(clips, BAD)
    source = write_clip(tmp_path / "in.mp4", 30)
    cfg = tmp_path / "magicbooth.toml"
    cfg.write_text(f'[camera]\nsource = "{source}"\nrealtime = false\nloop = false\n'
                   f'[storage]\nclips_dir = "{clips}"\nmin_free_mb = 0\nlow_free_mb = 0\n')
    return str(cfg), clips


def _break(clips: Path, kind: str) -> Path:
    sidecar = clips / DAY / f"{BAD}.json"
    sidecar.unlink()
    content = CORRUPT[kind]
    if content is None:
        sidecar.mkdir()
        (sidecar / "x").write_text("in a folder")
    else:
        sidecar.write_bytes(content)
    return sidecar


@pytest.mark.parametrize("kind", CORRUPT)
def test_clips_list_and_show_go_on_and_name_the_bad_sidecar(library: tuple[str, Path], kind: str,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    cfg, clips = library
    sidecar = _break(clips, kind)
    assert main(["--config", cfg, "clips"]) == 0
    out = capsys.readouterr().out
    assert GOOD in out and BAD in out and "SIDECAR BAD" in out
    assert f"sidecar {sidecar}: " in out and "rebuilds it from the video" in out
    assert main(["--config", cfg, "clips", "show", GOOD]) == 0
    assert "sha256" in capsys.readouterr().out
    assert main(["--config", cfg, "clips", "show", BAD]) == 0
    assert str(sidecar) in capsys.readouterr().out
    assert main(["--config", cfg, "clips", "list", "--json"]) == 0
    listed = {c["id"]: c for c in json.loads(capsys.readouterr().out)["clips"]}
    assert str(sidecar) in listed[BAD]["problem"] and "problem" not in listed[GOOD]


@pytest.mark.parametrize("kind", CORRUPT)
def test_record_goes_on_and_the_bad_sidecar_is_set_aside_and_rebuilt(library: tuple[str, Path], kind: str,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    cfg, clips = library
    sidecar = _break(clips, kind)
    before = None if CORRUPT[kind] is None else sidecar.read_bytes()
    assert main(["--config", cfg, "record", "--seconds", "0.3", "--pre-roll", "0"]) == 0
    assert "saved" in capsys.readouterr().out
    kept = sidecar.with_name(sidecar.name + ".bad")
    assert kept.is_dir() if before is None else kept.read_bytes() == before      # nothing it held is lost
    rebuilt = read_sidecar(clips / DAY / f"{BAD}.mp4")
    assert rebuilt["id"] == BAD and rebuilt["stop_reason"] == "recovered" and len(rebuilt["sha256"]) == 64
    assert len([c for c in iter_clips(clips) if not c.problem]) == 3


def test_headless_starts_and_records_with_a_bad_sidecar_and_a_damaged_queue(
        library: tuple[str, Path], tmp_path: Path, mock_pins: Any, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    _, clips = library
    _break(clips, "a list")
    state = tmp_path / "state"
    state.mkdir()
    (state / "uploads.sqlite3").write_bytes(b"this is not a database" * 100)
    monkeypatch.setenv("STATE_DIRECTORY", str(state))
    config = tmp_path / "headless.toml"
    config.write_text(f'[camera]\nsource = "sample"\nsize = [320, 240]\n[storage]\nclips_dir = "{clips}"\n'
                      "min_free_mb = 0\nlow_free_mb = 0\n[recorder]\npre_roll_s = 0.5\n[gpio]\nbounce_s = 0.0\n"
                      '[upload]\nendpoint = "http://127.0.0.1:9"\nbucket = "clips"\n')
    systemd = Systemd(tmp_path)
    actor = PressThenTerm(mock_pins, (1.0, 1.5, 1.5))
    try:
        status = run_mode(str(config), "headless", notifier=systemd.notifier(), shutdown=lambda: None)
    finally:
        actor.finished()
        systemd.close()
    assert status == 0 and systemd.messages[0].startswith("READY=1")
    assert len(list(iter_clips(clips))) == 3
    assert "kept as" in caplog.text and "rebuilding it from the video" in caplog.text
    assert list(state.glob("uploads.sqlite3.corrupt-*"))


@pytest.mark.parametrize("kind", ["a folder", "binary", "a list"])
def test_a_clip_with_a_bad_sidecar_can_be_deleted(library: tuple[str, Path], kind: str,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    cfg, clips = library
    sidecar = _break(clips, kind)
    assert main(["--config", cfg, "clips", "delete", BAD, "--yes"]) == 0
    assert f"deleted {BAD}" in capsys.readouterr().out
    assert not (clips / DAY / f"{BAD}.mp4").exists() and not sidecar.exists()
    assert {c.id for c in iter_clips(clips)} == {GOOD}


# -- sidecars without a video ------------------------------------------------------------------------------


def test_a_sidecar_whose_video_is_gone_is_listed_and_removable(library: tuple[str, Path],
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    cfg, clips = library
    (clips / DAY / f"{BAD}.mp4").unlink()
    assert main(["--config", cfg, "clips"]) == 0
    out = capsys.readouterr().out
    assert BAD in out and "VIDEO MISSING" in out and f"magicbooth clips delete {BAD}" in out
    assert main(["--config", cfg, "clips", "show", BAD]) == 0
    assert "video missing" in capsys.readouterr().out
    assert main(["--config", cfg, "clips", "delete", BAD, "--yes"]) == 0
    assert not (clips / DAY / f"{BAD}.json").exists() and (clips / DAY / f"{GOOD}.mp4").exists()


def test_a_sidecar_of_a_clip_being_saved_is_not_called_missing(library: tuple[str, Path],
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    cfg, clips = library
    video = clips / DAY / f"{BAD}.mp4"
    (clips / ".partial").mkdir()
    video.rename(clips / ".partial" / video.name)      # between finalisation's steps 3 and 4
    assert main(["--config", cfg, "clips"]) == 0
    assert "VIDEO MISSING" not in capsys.readouterr().out


# -- symbolic links ----------------------------------------------------------------------------------------


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    """A folder outside the library holding a clip with the same layout, which must never be touched."""
    outside = tmp_path / "elsewhere"
    clip = make_clip(outside, "20260101-000000-cccccc", day="2026-01-01")
    update_sidecar(clip.video, upload_state="uploaded")
    old = time.time() - 400 * 86400
    os.utime(clip.video, (old, old))
    return outside / "2026-01-01"


def _untouched(folder: Path) -> bool:
    return sorted(p.name for p in folder.iterdir()) == ["20260101-000000-cccccc.json", "20260101-000000-cccccc.mp4"]


def test_clips_delete_never_follows_a_symlinked_day_folder(library: tuple[str, Path], elsewhere: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    cfg, clips = library
    (clips / "2026-01-01").symlink_to(elsewhere)
    assert main(["--config", cfg, "clips", "delete", "20260101-000000-cccccc", "--yes"]) == 2
    assert "no clip with id" in capsys.readouterr().err
    assert _untouched(elsewhere)
    assert main(["--config", cfg, "clips"]) == 0
    out = capsys.readouterr().out
    assert "20260101-000000-cccccc" not in out.split("MB free")[0]
    assert f"{clips / '2026-01-01'}: a symbolic link, skipped" in out


def test_linked_videos_and_sidecars_are_skipped(library: tuple[str, Path], elsewhere: Path) -> None:
    _, clips = library
    day = clips / "2026-01-02"
    day.mkdir()
    for name in ("20260101-000000-cccccc.mp4", "20260101-000000-cccccc.json"):
        (day / name).symlink_to(elsewhere / name)
    assert {c.id for c in iter_clips(clips)} == {GOOD, BAD}


def test_retention_never_deletes_through_links(library: tuple[str, Path], elsewhere: Path) -> None:
    _, clips = library
    (clips / "2026-01-01").symlink_to(elsewhere)
    day = clips / "2026-01-02"
    day.mkdir()
    (day / "20260101-000000-cccccc.mp4").symlink_to(elsewhere / "20260101-000000-cccccc.mp4")
    policy = StorageConfig(max_age_days=1, delete_unuploaded=True, min_free_mb=0, low_free_mb=0)
    deleted = enforce_retention(clips, policy)
    assert all(c.video.parent.parent == clips and not c.video.parent.is_symlink() for c in deleted)
    assert _untouched(elsewhere)


def test_finalise_never_writes_through_a_symlinked_day_folder(tmp_path: Path, elsewhere: Path) -> None:
    root = tmp_path / "lib"
    partial = root / ".partial" / "20260101-100000-dddddd.mp4"
    partial.parent.mkdir(parents=True)
    write_clip(partial, 10)
    (root / "2026-01-01").symlink_to(elsewhere)
    meta = finalise.base_meta("20260101-100000-dddddd", datetime.fromisoformat("2026-01-01T10:00:00+00:00"),
                              "booth", "")
    clip = finalise.finalise(partial, root, meta)
    assert clip.video.parent == root / "2026-01-01" and not clip.video.parent.is_symlink()
    assert clip.video.is_file() and _untouched(elsewhere)
    assert (root / "2026-01-01.link").is_symlink()      # set aside, its target untouched


def test_recovery_never_follows_a_symlinked_partial_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = write_clip(outside / "20260101-100000-eeeeee.mp4", 10)
    before = victim.read_bytes()
    clips = tmp_path / "clips"
    clips.mkdir()
    (clips / ".partial").symlink_to(outside)
    source = write_clip(tmp_path / "in.mp4", 20)
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[camera]\nsource = "{source}"\nrealtime = false\nloop = false\n'
                   f'[storage]\nclips_dir = "{clips}"\nmin_free_mb = 0\nlow_free_mb = 0\n')
    assert main(["--config", str(cfg), "record", "--seconds", "0.2", "--pre-roll", "0"]) == 0
    assert victim.read_bytes() == before and sorted(p.name for p in outside.iterdir()) == [victim.name]
    assert (clips / ".partial").is_dir() and not (clips / ".partial").is_symlink()


def test_writing_a_sidecar_never_follows_a_planted_temporary_link(tmp_path: Path) -> None:
    target = tmp_path / "precious.txt"
    target.write_text("keep me")
    video = tmp_path / "x.mp4"
    (tmp_path / ".x.json.tmp").symlink_to(target)
    with pytest.raises(OSError):
        write_sidecar(video, {"id": "x"})
    assert target.read_text() == "keep me"


def test_sidecar_values_are_shown_escaped(library: tuple[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    cfg, clips = library
    update_sidecar(clips / DAY / f"{GOOD}.mp4", effect="\x1b[2J\x1b[31mred\nINFO fake line")
    assert main(["--config", cfg, "clips"]) == 0
    assert main(["--config", cfg, "clips", "show", GOOD]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "fake line" in out and "\nINFO fake line" not in out


def test_a_partial_with_damaged_embedded_metadata_is_still_recovered(tmp_path: Path) -> None:
    from magicbooth.core.config import Config
    from magicbooth.recording.recovery import recover_partials

    root = tmp_path / "clips"
    partial = root / ".partial" / "20261120-140000-ffffff.mp4"
    partial.parent.mkdir(parents=True)
    source = write_clip(tmp_path / "src.mp4", 10)
    for comment in ('{"started_at": "yesterday", "effect": 7}',):
        with av.open(str(source)) as src, av.open(str(partial), "w", format="mp4") as out:
            out.metadata["comment"] = comment
            stream = out.add_stream_from_template(src.streams.video[0])
            for packet in src.demux(src.streams.video[0]):
                if packet.dts is not None:
                    packet.stream = stream
                    out.mux(packet)
    (clip,) = recover_partials(root, Config().replace("storage", clips_dir=str(root)))
    assert clip.meta["effect"] == "" and clip.meta["frames"] == 10 and not clip.problem
    assert read_sidecar(clip.video)["id"] == "20261120-140000-ffffff"
