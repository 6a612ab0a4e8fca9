"""Health checks for ``magicbooth doctor``: what this machine has, with a fix for each failure."""
