"""The report's JSON schema: a stable id and version, shipped as ``report.schema.json``.

Bump ``SCHEMA_VERSION`` on any change that renames or removes a key or
changes its meaning; adding optional keys keeps the version.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

SCHEMA_ID = "magicbooth.bench"
SCHEMA_VERSION = 1
SCHEMA_FILE = "report.schema.json"


@cache
def schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) every report validates against."""
    text = (resources.files("magicbooth.bench") / SCHEMA_FILE).read_text(encoding="utf-8")
    return json.loads(text)
