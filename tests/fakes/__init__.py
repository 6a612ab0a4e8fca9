"""Fakes for hardware that cannot exist off a Pi (only picamera2)."""
