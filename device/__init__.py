"""magicbooth's runtime: camera, perception, pipeline, display, recorder, uploads, modes."""

__version__ = "0.1.0"
