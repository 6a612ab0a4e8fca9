"""REPORT.md from the report's data: each graph's targets, and the ARM table with each class's graph marked."""

from __future__ import annotations

from tools.modelfactory import render


def _graph(cpus: list[str], iou: float) -> dict:
    return {"cpus": cpus, "quantization": "int8 except, in float32 between DEQUANTIZE and QUANTIZE, 3 of 9 ops: "
            "weights signed int8", "accuracy": {"mask_iou_mean": iou},
            "latency": {"1": {"float_ms": 2.0, "int8_ms": 1.5, "ratio": 0.75}},
            "acceleration": {"partitions": 1, "delegated_ops": 9, "ops_outside": []}}


def test_every_graph_and_core_is_in_the_report() -> None:
    data = {"command": "python tools/validate_models.py", "notes": [],
            "machine": {"cpu": "a PC", "cores": 2, "python": "3.11", "ai_edge_litert": "2.3.0"},
            "held_out": {"scenes": 6, "backgrounds": ["gravel"]}, "latency_invokes": 200,
            "models": {"seg": {
                "graphs": {"int8": _graph(["arm", "x86_64"], 0.93), "int8_dotprod": _graph(["arm_dotprod"], 0.92)},
                "float_acceleration": {"partitions": 1, "delegated_ops": 9, "ops_outside": []},
                "arm_instructions": {"cortex-a72": {"float": 40_000_000, "int8": 36_000_000,
                                                    "int8_dotprod": 39_000_000},
                                     "cortex-a76": {"float": 40_000_000, "int8": 35_000_000,
                                                    "int8_dotprod": 30_000_000, "float_fp16": 24_000_000}},
                "arm_kinds": {"cortex-a76": {"graph": "int8_dotprod", "rows": [
                    {"kind": "CONV_2D", "ops": 4, "float": 2e7, "int8": 1e7, "int8_missing": 0, "kept_float": 1,
                     "in_graph": 1.2e7, "ratio": 0.5},
                    {"kind": "HARD_SWISH", "ops": 2, "float": 1e6, "int8": 0.0, "int8_missing": 2, "kept_float": 2,
                     "in_graph": 1e6, "ratio": None}]}},
                "targets": [{"graph": "int8_dotprod (arm_dotprod)", "target": "int8/float ARM instructions on "
                             "cortex-a76 (arm_dotprod) ≤ 0.7", "measured": 0.75, "met": False}]}}}
    text = render.markdown(data)
    assert "| seg | int8_dotprod (arm_dotprod) | int8/float ARM instructions on cortex-a76 (arm_dotprod) ≤ 0.7 | " \
           "0.75 | **no** |" in text
    assert "| cortex-a72 | 40,000,000 | same | 36,000,000 | **0.900** | 39,000,000 | 0.975 |" in text
    assert "| cortex-a76 | 40,000,000 | 24,000,000 (0.600) | 35,000,000 | 0.875 | 30,000,000 | **0.750** |" in text
    assert "| HARD_SWISH | 2 | 1.00 | no int8 kernel | n/a | 2 | 1.00 |" in text
    assert "| mask_iou_mean | 0.93 | 0.92 |" in text
    data["models"]["seg"]["graphs"]["int8_dotprod"]["accuracy_on"] = {"cortex-a76": {"mask_iou_mean": 0.91}}
    text = render.markdown(data)
    assert "| metric | `int8` | `int8_dotprod` | `int8_dotprod` on cortex-a76 |" in text
    assert "| mask_iou_mean | 0.93 | 0.92 | 0.91 |" in text
