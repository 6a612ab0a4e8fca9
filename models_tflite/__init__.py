"""The shipped int8 models, their float references and ``manifest.toml``, as package data.

``magicbooth.inference.loader`` reads them from here; ``python tools/build_models.py`` makes them.
"""
