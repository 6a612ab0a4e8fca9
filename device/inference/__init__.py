"""The model runtime: loading the shipped TFLite models on LiteRT, XNNPACK delegation, AMX refusal."""
