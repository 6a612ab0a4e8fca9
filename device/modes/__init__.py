"""The ways the booth is used: the kiosk (``booth.run_booth``) and the GPIO recorder (``headless.run_headless``)."""
