"""Health checks for ``magicbooth doctor``: what this machine has, with a fix for each failure.

``checks`` holds the software checks and the ``Check`` record, ``hardware`` the device nodes, GPIO,
models and thermals, ``detectors`` what the booth can see (far faces); ``run_checks`` runs them all.
"""

from __future__ import annotations

from magicbooth.core.config import Config
from magicbooth.doctor.checks import CHECKS, Check
from magicbooth.doctor.detectors import PERCEPTION_CHECKS
from magicbooth.doctor.hardware import HW_CHECKS


def run_checks(config: Config) -> list[Check]:
    """Run every check; a check that crashes is reported as a failure, not raised."""
    results = []
    for check in (*CHECKS, *HW_CHECKS, *PERCEPTION_CHECKS):
        try:
            results.append(check(config))
        except Exception as exc:
            results.append(Check(check.__name__.removeprefix("check_"), False, f"check crashed: {exc}",
                                 "rerun with --verbose and report the message"))
    return results
