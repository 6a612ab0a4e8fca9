"""Model factory: float MediaPipe originals -> rewritten float -> calibrated full-int8 TFLite models."""
