"""File kinds by suffix: which paths are still images and which are videos (sources and render outputs)."""

from __future__ import annotations

from pathlib import Path

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff"})
VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".mkv", ".m4v"})


def is_image(path: Path) -> bool:
    """True when ``path`` names a still image (by its suffix)."""
    return path.suffix.lower() in IMAGE_SUFFIXES
