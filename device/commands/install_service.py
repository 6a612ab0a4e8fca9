"""``magicbooth install-service``: units, user, directories, enable; ``--dry-run`` prints every action.

The unit files in ``systemd/`` are templates only in two ways: ``ExecStart=``
gets the real path of this magicbooth, and a few lines adapt to the machine
(groups that do not exist are left out, because a unit naming an unknown
group fails to start; ``ProtectHome=`` becomes read-only when the venv lives
in a home directory; the uploader's ``LoadCredential=`` names ``[upload]
credentials_file``). That file stays root's, mode 0600: systemd reads it and
hands the uploader a private copy, so the service user never reads it.
Every action is printed as the shell command it amounts to, so
``--dry-run`` output can be read, or pasted, line by line.
"""

from __future__ import annotations

import argparse
import grp
import os
import pwd
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from magicbooth.commands import Context
from magicbooth.core.config import Config, default_config_toml
from magicbooth.core.errors import MagicboothError

HELP = "install and enable the systemd units (booth or headless, plus the uploader); --dry-run prints the plan"

UNIT_DIR = Path(str(resources.files("magicbooth.systemd")))
TEMPLATE_EXEC = "/opt/magicbooth/.venv/bin/magicbooth"
GROUPS = ("video", "render", "gpio", "input", "audio")
UNITS = {"booth": "magicbooth.service", "headless": "magicbooth-headless.service"}
UPLOAD_UNIT = "magicbooth-upload.service"
TEMPLATE_CREDENTIALS = "/etc/magicbooth/s3.toml"
POLKIT_RULE = """// Written by magicbooth install-service: the headless recorder's hold-to-shutdown button.
polkit.addRule(function(action, subject) {
    if ((action.id == "org.freedesktop.login1.power-off" ||
         action.id == "org.freedesktop.login1.power-off-multiple-sessions") &&
        subject.user == "%s") {
        return polkit.Result.YES;
    }
});
"""


class InstallError(MagicboothError, PermissionError):
    """install-service cannot proceed (not root, no unit files)."""


@dataclass(frozen=True)
class Action:
    """One step: ``shell`` is what it amounts to (printed), ``apply`` carries it out."""

    shell: str
    apply: Callable[[], None]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--mode", choices=tuple(UNITS), default="booth",
                        help="which service starts at boot (default: booth)")
    parser.add_argument("--dry-run", action="store_true", help="print every action instead of doing it")
    parser.add_argument("--root", metavar="DIR", default="/",
                        help="write files under DIR and skip user and systemctl commands (for images and tests)")


def run(args: argparse.Namespace, ctx: Context) -> int:
    root = Path(args.root)
    actions = plan(ctx.config, args.mode, root=root)
    if args.dry_run:
        print(f"# magicbooth install-service --mode {args.mode}: {len(actions)} actions (dry run, nothing done)")
        for action in actions:
            print(action.shell)
        return 0
    if root == Path("/") and os.geteuid() != 0:
        raise InstallError("install-service needs root to create a user and install units; "
                           "run it with sudo, or add --dry-run to see what it would do")
    for action in actions:
        print(action.shell, flush=True)
        action.apply()
    unit = UNITS[args.mode]
    print(f"# done. Start it now with: systemctl start {unit}; check it with: magicbooth doctor")
    return 0


def executable() -> Path:
    """The magicbooth script of the running install (its venv's bin), else the one on PATH."""
    beside = Path(sys.executable).parent / "magicbooth"
    if beside.exists():
        return beside.absolute()
    import shutil

    found = shutil.which("magicbooth")
    if not found:
        raise InstallError("cannot find the magicbooth executable; install magicbooth first "
                           "(sh tools/bootstrap.sh run)")
    return Path(found).absolute()


def existing_groups(names: tuple[str, ...] = GROUPS) -> tuple[list[str], list[str]]:
    """(groups that exist here, groups that do not)."""
    have, missing = [], []
    for name in names:
        try:
            grp.getgrnam(name)
            have.append(name)
        except KeyError:
            missing.append(name)
    return have, missing


def render_unit(name: str, *, exe: Path, user: str, groups: list[str],
                credentials: str = TEMPLATE_CREDENTIALS) -> str:
    """A unit file from ``systemd/`` adapted to this machine (``credentials``: the S3 keys file)."""
    path = UNIT_DIR / name
    if not path.is_file():
        raise InstallError(f"{path}: unit file missing; run install-service from a magicbooth checkout")
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("ExecStart="):
            line = line.replace(TEMPLATE_EXEC, str(exe))
        elif line.startswith("SupplementaryGroups="):
            if not groups:
                continue
            line = "SupplementaryGroups=" + " ".join(groups)
        elif line.startswith(("User=", "Group=")):
            line = line.split("=", 1)[0] + "=" + user
        elif line == "ProtectHome=yes" and str(exe).startswith(("/home/", "/root/")):
            line = "ProtectHome=read-only"   # the venv lives in a home directory: it must stay readable
        elif line.startswith("LoadCredential=") and credentials:
            line = line.replace(TEMPLATE_CREDENTIALS, credentials)
        lines.append(line)
    return "\n".join(lines) + "\n"


def plan(config: Config, mode: str, *, root: Path = Path("/")) -> list[Action]:
    """Every action install-service takes for ``mode``, in order."""
    user = config.service.user
    exe = executable()
    groups, missing = existing_groups()
    real = root == Path("/")
    actions: list[Action] = []

    def command(argv: list[str], *, check: bool = True) -> None:
        shell = " ".join(argv)
        if not real:
            actions.append(Action(f"# skipped with --root: {shell}", lambda: None))
            return
        actions.append(Action(shell, lambda: _run(argv, check)))

    def write(path: Path, text: str, mode_bits: int, *, keep: bool = False) -> None:
        target = root / path.relative_to("/")
        guard = f"[ -e {path} ] || " if keep else ""
        body = text if text.endswith("\n") else text + "\n"
        shell = f"{guard}install -m {mode_bits:o} /dev/stdin {path} <<'EOF'\n{body}EOF"
        actions.append(Action(shell, lambda: _write(target, body, mode_bits, keep)))

    def mkdir(path: Path, mode_bits: int, owner: str | None = None) -> None:
        target = root / path.relative_to("/")
        owned = f" -o {owner} -g {owner}" if owner else ""
        actions.append(Action(f"install -d -m {mode_bits:o}{owned} {path}",
                              lambda: _mkdir(target, mode_bits, owner if real else None)))

    state = Path("/var/lib") / "magicbooth"
    if not _user_exists(user):
        command(["useradd", "--system", "--user-group", "--home-dir", str(state), "--no-create-home",
                 "--shell", "/usr/sbin/nologin", user])
    if groups:
        command(["usermod", "--append", "--groups", ",".join(groups), user])
    for name in missing:
        actions.append(Action(f"# group {name} does not exist here: left out of the user and the units "
                              f"(run 'magicbooth doctor' to see which devices then fail to open)", lambda: None))
    mkdir(Path("/etc/magicbooth"), 0o755)
    write(Path("/etc/magicbooth/config.toml"), default_config_toml(), 0o644, keep=True)
    mkdir(state, 0o750, user)
    units = [UNITS[mode], UPLOAD_UNIT]
    keys = config.upload.credentials_file
    if keys and not Path(keys).is_absolute():
        raise InstallError(f"[upload] credentials_file = {keys!r}: systemd's LoadCredential= needs an absolute path, "
                           f"e.g. {TEMPLATE_CREDENTIALS!r}")
    for unit in units:
        write(Path("/etc/systemd/system") / unit,
              render_unit(unit, exe=exe, user=user, groups=groups, credentials=keys), 0o644)
    if keys:
        _secure_credentials(Path(keys), root, command, actions)
    if mode == "headless" and config.gpio.shutdown_on_hold and (root / "etc/polkit-1").is_dir():
        write(Path("/etc/polkit-1/rules.d/50-magicbooth-shutdown.rules"), POLKIT_RULE % user, 0o644)
    command(["systemctl", "daemon-reload"])
    other = UNITS["headless" if mode == "booth" else "booth"]
    command(["systemctl", "disable", "--now", other], check=False)
    if mode == "booth":
        # The booth owns tty1 at boot; OnFailure= brings the login prompt back if the booth fails.
        command(["systemctl", "disable", "getty@tty1.service"], check=False)
    command(["systemctl", "enable", *units])
    return actions


def _secure_credentials(keys: Path, root: Path, command: Callable[..., None], actions: list[Action]) -> None:
    """The S3 keys file belongs to root alone: systemd's LoadCredential= passes the uploader a copy."""
    target = root / keys.relative_to("/")
    if target.is_file():
        command(["chown", "root:root", str(keys)])
        actions.append(Action(f"chmod 600 {keys}", lambda: target.chmod(0o600)))
        return
    actions.append(Action(f"# {keys} does not exist yet; when uploads are set up, create it as root, readable by "
                          f"root alone (install -m 600 -o root -g root /dev/stdin {keys}, with access_key_id and "
                          f"secret_access_key), then: systemctl restart {UPLOAD_UNIT}", lambda: None))


def _user_exists(user: str) -> bool:
    try:
        pwd.getpwnam(user)
        return True
    except KeyError:
        return False


def _run(argv: list[str], check: bool) -> None:
    result = subprocess.run(argv, check=False)
    if check and result.returncode:
        raise InstallError(f"'{' '.join(argv)}' failed with status {result.returncode}")


def _write(target: Path, text: str, mode_bits: int, keep: bool) -> None:
    if keep and target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.chmod(mode_bits)
    tmp.replace(target)


def _mkdir(target: Path, mode_bits: int, owner: str | None) -> None:
    target.mkdir(parents=True, exist_ok=True)
    target.chmod(mode_bits)
    if owner:
        os.chown(target, pwd.getpwnam(owner).pw_uid, grp.getgrnam(owner).gr_gid)
