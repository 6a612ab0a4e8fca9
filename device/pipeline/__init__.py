"""The one frame path: source -> capture -> perception -> effect -> sinks (display, recorder)."""
