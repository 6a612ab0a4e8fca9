"""magicbooth's runtime: camera, perception, pipeline, display, recorder, uploads, modes.

The data flow, the layers, the threads and the contracts between them are described in
``docs/architecture.md``.
"""

import os as _os

__version__ = "0.1.0"

# pygame prints a banner on import; logs under journald should stay clean.
_os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
