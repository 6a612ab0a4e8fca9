"""The systemd unit files, as package data: ``magicbooth install-service`` installs them from here."""
