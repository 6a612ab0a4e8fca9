"""``magicbooth bench``: where a frame's 33 ms go on this device, and whether they fit.

One module per concern: ``measures`` (measured / not-measured records and
sample statistics), ``device_info``, ``thermal`` (sampler thread),
``resources`` (CPU time, per-core load, peak RSS), ``models`` (per-model
micro-benchmark), ``stages`` (per-stage costs), ``encoding`` (H.264 encode
harness), ``endtoend`` (the live pipeline while recording), ``verdict``,
``compare``, ``schema`` (the versioned JSON schema), ``html`` and ``svg``
(the self-contained report), ``summary`` (terminal table), ``progress`` and
``runner`` (phases in order).

>>> report = run_bench(BenchSettings(quick=True, source="sample"), config)
>>> report["verdict"]["status"]
'fail'
"""

from device.bench.runner import BenchSettings, run_bench

__all__ = ["BenchSettings", "run_bench"]
