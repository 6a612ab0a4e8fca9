"""Config: golden error messages, search order, the default file and the config command."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from magicbooth.cli import main
from magicbooth.core.config import (
    Config,
    ConfigError,
    default_config_toml,
    find_config_file,
    load_config,
    parse_config,
    sections,
)

GOLDEN = [
    ('[camera]\nfps = "fast"\n', 'f.toml: [camera] fps = "fast": expected an integer from 1 to 120'),
    ("[camera]\nfps = 0\n", "f.toml: [camera] fps = 0: expected an integer from 1 to 120"),
    ("[camera]\nfsp = 30\n", "f.toml: unknown key [camera] fsp; expected one of: source, size, fps, buffer_count, "
                             "analysis_size, loop, realtime, timeout_s, reopen_max_backoff_s"),
    ("[camra]\nfps = 30\n", "f.toml: unknown section [camra]; expected one of: " + ", ".join(sections())),
    ("[camera]\nsize = [640]\n", "f.toml: [camera] size = [640]: expected a list of 2 integers from 16 to 4096"),
    ('[display]\nmode = "tv"\n', 'f.toml: [display] mode = "tv": expected one of auto, window, fullscreen, none'),
    ("[display]\nmirror = 1\n", "f.toml: [display] mirror = 1: expected true or false"),
    ("camera = 3\n", "f.toml: camera = 3: expected a [camera] table"),
    ('[booth]\naccent = "yellow"\n', 'f.toml: [booth] accent = "yellow": expected a colour like "#ffd23f", or "" '
                                     "for the theme's own"),
    ('[booth]\nlanguage = "fr"\n', 'f.toml: [booth] language = "fr": expected one of en, de'),
]


@pytest.mark.parametrize(("text", "message"), GOLDEN)
def test_golden_errors(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_config(text, "f.toml")
    assert str(err.value) == message
    assert "\n" not in str(err.value)


def test_bad_toml_names_file_and_line() -> None:
    with pytest.raises(ConfigError, match=r"^f.toml: not valid TOML: .*line 2"):
        parse_config("[camera]\nfps = = 3\n", "f.toml")


def test_config_error_is_a_value_error() -> None:
    assert issubclass(ConfigError, ValueError)


def test_values_are_typed_and_frozen() -> None:
    cfg = parse_config("[camera]\nsize = [1280, 720]\ntimeout_s = 3\n")
    assert cfg.camera.size == (1280, 720)
    assert isinstance(cfg.camera.timeout_s, float)
    with pytest.raises(AttributeError):
        cfg.camera.fps = 5  # type: ignore[misc]


def test_default_file_round_trips_and_comments_every_option() -> None:
    text = default_config_toml()
    assert parse_config(text) == Config()
    data = tomllib.loads(text)
    lines = text.splitlines()
    for section, values in data.items():
        for key in values:
            index = next(i for i, line in enumerate(lines) if line.startswith(f"{key} = "))
            assert lines[index - 1].startswith("# "), f"[{section}] {key} has no comment"


def test_search_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    explicit, env = tmp_path / "explicit.toml", tmp_path / "env.toml"
    local = tmp_path / "magicbooth.toml"
    for path, fps in ((explicit, 11), (env, 12), (local, 13)):
        path.write_text(f"[camera]\nfps = {fps}\n")
    environ = {"MAGICBOOTH_CONFIG": str(env)}
    assert find_config_file(explicit, environ) == explicit
    assert find_config_file(None, environ) == env
    assert load_config(None, environ).camera.fps == 12
    if not Path("/etc/magicbooth/config.toml").exists():
        assert find_config_file(None, {}) == Path("magicbooth.toml")
        assert load_config(None, {}).camera.fps == 13
        local.unlink()
        assert load_config(None, {}) == Config()


def test_missing_explicit_file_says_how_to_create_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found; create it with 'magicbooth config --default"):
        load_config(tmp_path / "nope.toml")


def test_replace_validates() -> None:
    with pytest.raises(ConfigError, match=r"\[camera\] fps = 500"):
        Config().replace("camera", fps=500)
    assert Config().replace("display", hud=True).display.hud is True


def test_cli_check_ok_and_bad(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good, bad = tmp_path / "good.toml", tmp_path / "bad.toml"
    good.write_text(default_config_toml())
    bad.write_text('[camera]\nfps = "fast"\n')
    assert main(["config", "--check", str(good)]) == 0
    assert capsys.readouterr().out.strip() == f"{good}: ok"
    assert main(["config", "--check", str(bad)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f'magicbooth: error: {bad}: [camera] fps = "fast": expected an integer from 1 to 120']


def test_cli_default_prints_complete_config(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "--default"]) == 0
    assert parse_config(capsys.readouterr().out) == Config()
