"""One error hierarchy; each member also inherits the matching builtin.

Callers can catch ``MagicboothError`` for "anything we raise on purpose", or the
builtin (``ValueError``, ``OSError`` ...) when they only care about the kind.
The CLI prints ``str(error)`` as one line and exits with status 2.
"""

from __future__ import annotations


class MagicboothError(Exception):
    """Base of every error magicbooth raises on purpose."""


class UsageError(MagicboothError, ValueError):
    """Command-line options that do not fit together."""


class ConfigError(MagicboothError, ValueError):
    """A config file or option is missing, malformed or out of range."""


class SourceError(MagicboothError, ValueError):
    """A frame source was named that does not exist or cannot be read."""


class CameraError(MagicboothError, OSError):
    """A camera is in use, timed out or disconnected."""


class DisplayError(MagicboothError, RuntimeError):
    """No usable display for the requested display mode."""


class ModelError(MagicboothError, RuntimeError):
    """A model file is missing, corrupt, mismatched or cannot be loaded."""


class EffectError(MagicboothError, ValueError):
    """An unknown effect or a bad effect option."""


class RecorderError(MagicboothError, OSError):
    """Encoding or writing a clip failed."""


class StorageFullError(RecorderError):
    """Free space fell below the configured minimum."""


class PartialInUseError(MagicboothError, BlockingIOError):
    """A partial clip is locked by a recorder that is still writing or finalising it (recovery skips it)."""


class ClipNotFoundError(MagicboothError, LookupError):
    """No clip in the library has the given id."""


class UploadError(MagicboothError, OSError):
    """Uploading a clip failed."""


class CredentialsError(UploadError, PermissionError):
    """Upload credentials are missing, unreadable or too widely readable."""


class BenchError(MagicboothError, ValueError):
    """A benchmark report to compare against is missing, malformed or of another schema."""


class StoreUnavailableError(UploadError, ConnectionError):
    """The object store cannot be reached or answered with a retryable error; try again later."""


class UploadTargetError(UploadError):
    """The configured store has no such bucket or rejects the target as configured."""


class ClipIntegrityError(UploadError):
    """A clip's file does not match its sidecar (size or sha256), or its sidecar is unusable."""


class WorkerError(MagicboothError, RuntimeError):
    """A background thread would not stop in time."""


class OutputError(MagicboothError, OSError):
    """An output file (an annotated image, a report) cannot be written."""
