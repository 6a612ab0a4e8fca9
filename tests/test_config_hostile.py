"""Config files written carelessly or with intent: deep nesting, a byte-order mark, control characters
in values, bucket names and prefixes that are paths; and the uploader keeps running on the last good copy."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from magicbooth.cli import main
from magicbooth.core.config import load_config, parse_config
from magicbooth.core.errors import ConfigError

DEEP = "a = " + "[" * 1000 + "]" * 1000 + "\n"
DEEP_TABLES = "x = " + "{ y = " * 600 + "1" + " }" * 600 + "\n"


@pytest.mark.parametrize("text", [DEEP, DEEP_TABLES, "[camera]\nsize = " + "[" * 1000 + "]" * 1000 + "\n"])
def test_deep_nesting_is_a_config_error_not_a_recursion_error(text: str) -> None:
    with pytest.raises(ConfigError, match=r"^f\.toml: .*nested too deeply"):
        parse_config(text, "f.toml")


def test_deep_nesting_through_the_cli_is_one_line(tmp_path: Path) -> None:
    cfg = tmp_path / "deep.toml"
    cfg.write_text(DEEP)
    done = subprocess.run([sys.executable, "-m", "magicbooth.cli", "--config", str(cfg), "clips"],
                          capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "RecursionError" not in done.stderr
    assert done.stderr.count("\n") == 1 and "nested too deeply" in done.stderr and str(cfg) in done.stderr


def test_a_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    cfg = tmp_path / "notepad.toml"
    cfg.write_bytes(b"\xef\xbb\xbf[camera]\r\nfps = 25\r\n")
    assert load_config(cfg).camera.fps == 25
    assert parse_config("\ufeff[camera]\nfps = 24\n").camera.fps == 24


def test_utf16_says_to_save_as_utf8(tmp_path: Path) -> None:
    cfg = tmp_path / "utf16.toml"
    cfg.write_bytes("[camera]\nfps = 25\n".encode("utf-16"))
    with pytest.raises(ConfigError, match=r"UTF-16.*save it as UTF-8"):
        load_config(cfg)


@pytest.mark.parametrize(("text", "shown"), [
    ('[display]\nmode = "tv\\nINFO magicbooth: all good"\n', r'"tv\nINFO magicbooth: all good"'),
    ('[display]\nmode = "\\u001b[2J\\u001b[31mred"\n', r'"\u001b[2J\u001b[31mred"'),
    ('[camera]\n"fps\\nx" = 1\n', r'"fps\nx"'),
    ('["cam\\u001bera"]\nfps = 1\n', r'"cam\u001bera"'),
    ('[camera]\nsize = ["\\u0007", 1]\n', r'["\u0007", 1]'),
])
def test_control_characters_in_echoed_values_are_escaped(text: str, shown: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_config(text, "f.toml")
    message = str(err.value)
    assert shown in message
    assert not any(ord(c) < 32 or ord(c) == 127 for c in message), repr(message)


def test_a_huge_value_is_shown_shortened() -> None:
    with pytest.raises(ConfigError) as err:
        parse_config('[display]\nmode = "' + "x" * 100_000 + '"\n', "f.toml")
    assert len(str(err.value)) < 400 and "…" in str(err.value)


def test_cli_escapes_control_characters_in_any_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    name = str(tmp_path / "a\x1b[31mred\nline.mp4")
    assert main(["render", name, str(tmp_path / "o.mp4")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "\x1b" not in err and r"\x1b[31mred\nline.mp4" in err


@pytest.mark.parametrize("bucket", ["../../x", "a/b", "..", "x", "UPPER CASE", "-leading", "a..b", "a" * 64,
                                    "bucket\n"])
def test_bucket_names_are_validated(bucket: str) -> None:
    with pytest.raises(ConfigError, match=r"\[upload\] bucket = .*: expected a bucket name"):
        parse_config(f'[upload]\nbucket = "{bucket.replace(chr(10), chr(92) + "n")}"\n', "f.toml")


@pytest.mark.parametrize("bucket", ["", "clips", "my.booth-clips", "b00", "a" * 63, "Booth_Clips"])
def test_good_bucket_names_pass(bucket: str) -> None:
    assert parse_config(f'[upload]\nbucket = "{bucket}"\n').upload.bucket == bucket


@pytest.mark.parametrize("prefix", ["../..", "a/../b", "./x", "/abs", "a//b", "a b", "x\\y", "..", "a/./b"])
def test_prefixes_that_are_paths_are_refused(prefix: str) -> None:
    with pytest.raises(ConfigError, match=r"\[upload\] prefix = .*: expected a key prefix"):
        parse_config(f'[upload]\nprefix = "{prefix.replace(chr(92), chr(92) * 2)}"\n', "f.toml")


@pytest.mark.parametrize("prefix", ["", "booths", "shop/booths", "events/2026-01_fair", "a.b/c-d"])
def test_good_prefixes_pass(prefix: str) -> None:
    assert parse_config(f'[upload]\nprefix = "{prefix}"\n').upload.prefix == prefix


def test_uploader_runs_on_the_last_good_config_when_the_file_is_nested_too_deeply(tmp_path: Path) -> None:
    state = tmp_path / "state"
    cfg = tmp_path / "magicbooth.toml"
    cfg.write_text(f'[device]\nstate_dir = "{state}"\n[storage]\nclips_dir = "{tmp_path / "clips"}"\n'
                   '[upload]\nendpoint = "http://127.0.0.1:9"\nbucket = "clips"\n')
    env = {**os.environ, "STATE_DIRECTORY": str(state)}
    first = subprocess.run([sys.executable, "-m", "magicbooth.cli", "--config", str(cfg), "upload", "--status"],
                           capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    cfg.write_text(DEEP)
    again = subprocess.run([sys.executable, "-m", "magicbooth.cli", "--config", str(cfg), "upload", "--status"],
                           capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "Traceback" not in again.stderr
    assert "nested too deeply" in again.stderr and "last good copy" in again.stderr
    assert "uploads: http://127.0.0.1:9/clips/" in again.stdout


def test_a_bench_report_nested_too_deeply_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    deep = tmp_path / "prev.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    assert main(["bench", "--compare", str(deep)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "nested too deeply" in err and str(deep) in err

