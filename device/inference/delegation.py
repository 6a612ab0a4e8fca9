"""How much of a loaded model XNNPACK took over: partitions and ops left on default kernels.

LiteRT's Python interpreter lists every original node plus one ``DELEGATE``
node per XNNPACK partition, but not the execution plan. A delegate node's
outputs are computed from its inputs by exactly the original nodes it
replaced, so walking producers back from its outputs until its inputs
recovers each partition; whatever no partition covers runs on default kernels.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Delegation:
    """XNNPACK coverage of one interpreter."""

    partitions: int
    delegated_ops: int
    undelegated: tuple[str, ...]  # op names of nodes left on default kernels, in graph order

    @property
    def fully_delegated(self) -> bool:
        return self.partitions == 1 and not self.undelegated

    def describe(self) -> str:
        """One line for logs and reports."""
        left = Counter(self.undelegated)
        rest = ", ".join(f"{name}×{count}" for name, count in sorted(left.items())) or "none"
        return f"{self.partitions} XNNPACK partition(s), {self.delegated_ops} ops delegated, ops outside: {rest}"


def delegation_of(interpreter: Any) -> Delegation:
    """Work out the XNNPACK partitions of an allocated LiteRT interpreter."""
    ops = interpreter._get_ops_details()
    originals = [op for op in ops if op["op_name"] != "DELEGATE"]
    delegates = [op for op in ops if op["op_name"] == "DELEGATE"]
    producer = {int(t): op["index"] for op in originals for t in op["outputs"]}
    by_index = {op["index"]: op for op in originals}
    covered: set[int] = set()
    for node in delegates:
        stop = {int(t) for t in node["inputs"]}
        pending = [int(t) for t in node["outputs"]]
        while pending:
            tensor = pending.pop()
            if tensor in stop or tensor not in producer:
                continue
            index = producer[tensor]
            if index in covered:
                continue
            covered.add(index)
            pending.extend(int(t) for t in by_index[index]["inputs"] if t >= 0)
    left = tuple(op["op_name"] for op in originals if op["index"] not in covered)
    return Delegation(partitions=len(delegates), delegated_ops=len(covered), undelegated=left)
