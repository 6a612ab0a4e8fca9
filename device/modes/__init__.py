"""The ways the booth is used: the kiosk and the headless GPIO recorder.

Entry points: ``launch.run_mode`` (config, camera, recorder, display, then one of)
``booth.run_booth`` and ``headless.run_headless``. Inputs from every device
become ``events.Event``s; only the main loop touches pygame and state.
See ``systemd/README.md`` for the service side.
"""
