"""Text from outside (config values, file names, server replies) made safe to echo on one line.

A value with a newline splits an error line in two (and can fake a second log line); an ESC sequence
repaints the operator's terminal. ``printable`` escapes every control character the way Python
writes it, so what is shown is still exact.

>>> printable("tv\\nINFO all good\\x1b[2J")
'tv\\\\nINFO all good\\\\x1b[2J'
>>> shorten("x" * 100, 10)
'xxxxxxxxx…'
"""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, and the Unicode line/paragraph separators and bidirectional overrides.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _python(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def _unicode(match: re.Match[str]) -> str:
    char = match.group()
    return _NAMED.get(char) or f"\\u{ord(char):04x}"


def printable(text: str, *, toml: bool = False) -> str:
    """``text`` with every control character escaped: ``\\n``, ``\\x1b``, ``\\u202e`` (``toml``: ``\\u001b``,
    the spelling TOML and JSON read back)."""
    return _CONTROL.sub(_unicode if toml else _python, text)


def shorten(text: str, limit: int = 120) -> str:
    """At most ``limit`` characters, the cut marked with an ellipsis."""
    return text if len(text) <= limit else text[:limit - 1] + "…"
