"""The matting benchmark's parts: true-alpha cut-outs, clips with motion, and metrics (``tools/bench_matting.py``)."""
