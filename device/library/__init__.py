"""The clip library on disk: clips and sidecars, where they live, free space and retention."""
