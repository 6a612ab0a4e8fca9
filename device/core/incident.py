"""The booth's last failure, kept on disk so ``magicbooth doctor`` can say what went wrong after the fact.

Guests only ever see a human sentence (``modes.failsafe``); the operator needs the cause.
The log has it with its traceback; this file keeps the newest one beside the clips
(``<state dir>/booth-failure.json``), written atomically, for ``doctor`` to show.

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> path = record(folder, state="recording", reason="camera", exc=OSError("no frame for 2 s"))
>>> last(folder)["type"], last(folder)["message"]
('OSError', 'no frame for 2 s')
"""

from __future__ import annotations

import json
import os
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

FILE = "booth-failure.json"


def record(directory: Path, *, state: str, reason: str, exc: BaseException) -> Path:
    """Write ``exc`` (type, message, traceback) with the booth's state and the guest's reason key."""
    path = Path(directory) / FILE
    data = {"time": datetime.now(UTC).isoformat(timespec="seconds"), "state": state, "reason": reason,
            "type": type(exc).__name__, "message": str(exc),
            "traceback": "".join(traceback.format_exception(exc)).rstrip()}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


def last(directory: Path) -> dict[str, Any] | None:
    """The newest recorded failure, or None (none yet, or an unreadable file)."""
    try:
        data = json.loads((Path(directory) / FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
