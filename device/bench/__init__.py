"""``magicbooth bench``: where a frame's 33 ms go on this device, and whether they fit.

One module per concern: ``measures`` (measured / not-measured records and
sample statistics), ``device_info``, ``thermal`` (sampler thread),
``resources`` (CPU time per thread and core, peak RSS), ``models``
(per-model micro-benchmark), ``stages`` (per-stage costs), ``encoding``
(encoder speed), ``components`` (effect choice, effect stage), ``endtoend``
(the live pipeline while recording), ``verdict``, ``predict`` (Pi 4),
``instructions`` (each model's ARM instructions per CPU class),
``compare``, ``schema`` (the versioned JSON schema), ``html`` and ``svg``
(the self-contained report), ``summary`` (terminal table), ``progress`` and
``runner`` (phases in order). Nothing is imported here, so a part (say
``components`` in the emulated Pi OS) loads without the rest.

Usage (what ``magicbooth bench --quick --source sample`` does)::

    from magicbooth.bench.runner import BenchSettings, run_bench
    report = run_bench(BenchSettings(quick=True, source="sample"), config)
    report["verdict"]["status"]     # "pass", "fail", "incomplete" or "not_measured"
"""
