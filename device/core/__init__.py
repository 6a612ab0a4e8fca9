"""The core every layer may use: config, errors, frames, scene, logging, the machine, small primitives."""
