"""Recording: the encoder, the pre-roll, crash-safe clip files, audio, recovery and finalisation."""
