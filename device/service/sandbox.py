"""Run a command inside a unit's sandbox with ``systemd-run``, to see what the service itself sees.

Why: under systemd a supplementary group that does not resolve is dropped,
and ``DevicePolicy=closed`` hides every node not listed in ``DeviceAllow=``,
so a device that opens from a login shell can still fail inside the
service; and the unit's system call filter, address families and private
network apply to every library the checks load. ``magicbooth doctor
--as-service`` re-runs the doctor this way.

>>> sandbox_properties("[Unit]\\nAfter=network.target\\n[Service]\\nType=notify\\nUser=magicbooth\\n"
...                    "DevicePolicy=closed\\nDeviceAllow=char-video4linux rw\\n")
['User=magicbooth', 'DevicePolicy=closed', 'DeviceAllow=char-video4linux rw']

``as_service_command(Path("/etc/systemd/system/magicbooth.service"), ["magicbooth", "doctor"])`` turns
them into the ``systemd-run --wait --pipe ... --property KEY=VALUE ... -- magicbooth doctor`` command line.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

# [Service] settings that shape what the process can reach; everything else (SERVICE_ONLY_KEYS: Type=,
# Restart=, WatchdogSec=, TTY*=, ExecStart=) belongs to the running service, not to a one-off check.
SANDBOX_KEYS = ("User", "Group", "SupplementaryGroups", "DevicePolicy", "DeviceAllow", "PrivateDevices",
                "ProtectSystem", "ProtectHome", "PrivateTmp", "PrivateMounts", "PrivateUsers", "PrivateNetwork",
                "NoNewPrivileges", "CapabilityBoundingSet", "UMask",
                "ProtectKernelTunables", "ProtectKernelModules", "ProtectKernelLogs", "ProtectControlGroups",
                "ProtectClock", "ProtectHostname", "ProtectProc", "ProcSubset",
                "LockPersonality", "RestrictSUIDSGID", "RestrictNamespaces", "RestrictRealtime",
                "MemoryDenyWriteExecute", "SystemCallArchitectures", "SystemCallFilter", "SystemCallErrorNumber",
                "RestrictAddressFamilies", "IPAddressDeny", "IPAddressAllow", "LoadCredential", "SetCredential",
                "StateDirectory", "StateDirectoryMode", "ConfigurationDirectory", "Environment", "WorkingDirectory")
SERVICE_ONLY_KEYS = ("Type", "NotifyAccess", "ExecStart", "TimeoutStartSec", "TimeoutStopSec", "WatchdogSec",
                     "Restart", "RestartSec", "RestartPreventExitStatus",
                     "StandardInput", "StandardOutput", "StandardError", "TTYPath", "TTYReset", "TTYVHangup",
                     "TTYVTDisallocate")


def sandbox_properties(unit_text: str) -> list[str]:
    """``KEY=VALUE`` for every sandbox setting in the unit's [Service] section, in file order."""
    section = ""
    props = []
    for raw in unit_text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line
            continue
        key, _, value = line.partition("=")
        if section == "[Service]" and key in SANDBOX_KEYS:
            props.append(f"{key}={value}")
    return props


def as_service_command(unit: Path, argv: Sequence[str]) -> list[str]:
    """The ``systemd-run`` command line that runs ``argv`` with ``unit``'s sandbox and waits for it."""
    props = sandbox_properties(unit.read_text(encoding="utf-8"))
    command = ["systemd-run", "--wait", "--pipe", "--quiet", "--collect", "--service-type=exec"]
    for prop in props:
        command += ["--property", prop]
    return [*command, "--", *argv]
