"""Running under systemd: sd_notify, the last good config, and the unit's sandbox."""
