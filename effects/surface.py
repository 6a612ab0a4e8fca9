"""Moving pixels between numpy RGB arrays and pygame surfaces with as few copies as possible.

numpy images are (H, W, 3) uint8 RGB. ``pygame.image.frombuffer`` wraps such an array without
copying; ``pygame.surfarray.pixels3d`` is a (W, H, 3) view of a surface — transposed.
"""

from __future__ import annotations

import sys

import numpy as np
import pygame


def wrap_rgb(image: np.ndarray) -> pygame.Surface:
    """A surface sharing ``image``'s memory (no copy); keep ``image`` alive while it is used."""
    image = np.ascontiguousarray(image)
    return pygame.image.frombuffer(image, (image.shape[1], image.shape[0]), "RGB")  # type: ignore[arg-type]


def wrap_rgba(image: np.ndarray) -> pygame.Surface:
    """An RGBA array as a per-pixel-alpha surface (shares memory)."""
    image = np.ascontiguousarray(image)
    return pygame.image.frombuffer(image, (image.shape[1], image.shape[0]), "RGBA")  # type: ignore[arg-type]


def blit_rgb(canvas: pygame.Surface, image: np.ndarray, dest: tuple[int, int] = (0, 0)) -> None:
    """Draw an RGB array onto ``canvas`` (one pixel-format conversion, no Python loop)."""
    canvas.blit(wrap_rgb(image), dest)


def view(canvas: pygame.Surface) -> np.ndarray:
    """A writable (H, W, 3) view of the canvas pixels (strided: copy before handing to cv2)."""
    return pygame.surfarray.pixels3d(canvas).transpose(1, 0, 2)


def read_rgb(canvas: pygame.Surface) -> np.ndarray:
    """The canvas as a new contiguous (H, W, 3) RGB array (one copy)."""
    w, h = canvas.get_size()
    return np.frombuffer(pygame.image.tobytes(canvas, "RGB"), np.uint8).reshape(h, w, 3)


# Byte order R, G, B in memory, like the pipeline's canvas (``pygame.image.frombuffer(..., "RGB")``):
# blitting RGB arrays onto it is then a plain copy, not a per-pixel channel swap.
RGB_MASKS = (0x0000FF, 0x00FF00, 0xFF0000, 0) if sys.byteorder == "little" else (0xFF0000, 0x00FF00, 0x0000FF, 0)


def new_canvas(size: tuple[int, int]) -> pygame.Surface:
    """An opaque 24-bit RGB canvas of (width, height) for offline rendering, benchmarks and tests."""
    return pygame.Surface(size, 0, 24, RGB_MASKS)
