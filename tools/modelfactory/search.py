"""Which ops to keep float32 for one CPU: the cheapest mixed graph that still meets the accuracy floor.

Three steps, per model and CPU, on the per-op ARM costs of ``costs``:

1. **Cheapest**: the float/int8 choice with the least predicted count, found exactly as a minimum cut.
2. **Repair**: while the tuning split misses the floor, require float the block of ops (4 consecutive
   ops in graph order, a stem, the output head, or the squeeze-and-excite branches) that recovers the
   most accuracy per instruction it adds, and solve for the cheapest graph around what is required.
3. **Prune**: drop every required block whose removal keeps the floor, biggest saving first.

The floor is each accuracy target of the model's task, or where the hand-chosen islands of the spec
(what shipped before the search) miss a target on the tuning split, their own value there: a
variant may be no less accurate than that. Accuracy is measured with LiteRT on the host: the
kernels' int8 arithmetic is the same on every CPU, so one measurement serves both classes. The float
islands are the exception where the CPU has fp16 arithmetic (the graphs' fp16 hint, ``fp16``): the
report measures each graph's held-out accuracy as a Cortex-A76 computes it, in the emulation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import csr_array
from scipy.sparse.csgraph import maximum_flow

from tools.modelfactory import islands, metrics
from tools.modelfactory.costs import Costs
from tools.modelfactory.runner import Runner
from tools.modelfactory.specs import ModelSpec

BLOCK = 4  # ops per repair block
SHORTFALL_WEIGHT = 100.0
STEMS = (8, 12, 16, 24)  # stems (the first ops, at the highest resolution) tried whole as repair blocks


@dataclass(frozen=True)
class Goal:
    """One accuracy metric's floor."""

    metric: str
    floor: float
    higher_is_better: bool
    target: float  # the task's target, for the record

    def shortfall(self, value: float) -> float:
        """How far ``value`` is on the wrong side of the floor, relative to the floor (0 when met)."""
        if not np.isfinite(value):
            return 1.0
        gap = self.floor - value if self.higher_is_better else value - self.floor
        return max(0.0, gap) / max(abs(self.floor), 1e-9)


    def distance(self, value: float) -> float:
        """How far ``value`` is from perfect (1 for what should be high, 0 for errors), in units of the slack
        the floor allows: a smooth guide where the floor is a step (recall)."""
        if not np.isfinite(value):
            return 10.0
        perfect = 1.0 if self.higher_is_better else 0.0
        return abs(perfect - value) / max(abs(perfect - self.floor), 1e-9)


def shortfall(goals: Sequence[Goal], accuracy: dict[str, float]) -> float:
    return sum(goal.shortfall(accuracy[goal.metric]) for goal in goals)


def score(goals: Sequence[Goal], accuracy: dict[str, float]) -> float:
    """What repair lowers: the shortfall first, then the distance from perfect, which still moves where a
    discrete metric does not (one marginal face more or less)."""
    return SHORTFALL_WEIGHT * shortfall(goals, accuracy) + sum(goal.distance(accuracy[goal.metric]) for goal in goals)


Gauge = Callable[[frozenset[str]], dict[str, float]]  # float op names -> accuracy metrics (``Accuracy`` is one)


class Accuracy:
    """Accuracy of the int8 graph with a given set of float ops, against the float reference (cached)."""

    def __init__(self, spec: ModelSpec, reference: bytes, graph_of: Callable[[frozenset[str]], bytes],
                 inputs: Sequence[np.ndarray]) -> None:
        self.metric = metrics.for_spec(spec)
        self._graph_of = graph_of
        self.inputs = list(inputs)
        runner = Runner(reference)
        outputs = {id(x): runner(x) for x in self.inputs}
        self._reference = lambda x: outputs[id(x)]
        self._seen: dict[frozenset[str], dict[str, float]] = {}

    def graph(self, floats: frozenset[str]) -> bytes:
        return self._graph_of(floats)

    def __call__(self, floats: frozenset[str]) -> dict[str, float]:
        if floats not in self._seen:
            runner = Runner(self.graph(floats))
            self._seen[floats] = self.metric(self._reference, runner, self.inputs)
        return self._seen[floats]

    @property
    def evaluated(self) -> int:
        return len(self._seen)


@dataclass
class Found:
    """The search's answer for one CPU."""

    floats: frozenset[str]
    predicted: float
    accuracy: dict[str, float]
    met: bool
    steps: list[str] = field(default_factory=list)  # what each step did, for the log


def cheapest(costs: Costs, required: frozenset[str] = frozenset()) -> list[bool]:
    """The float/int8 choice with the least predicted count, the ``required`` ops (and the forced ones) float.

    Exact: each op's two costs are its terminal edges and each island border a directed edge between producer
    and reader, so the choice is a minimum s-t cut (borders are charged per reader, which keeps the energy
    submodular: int8 on both sides or float on both costs nothing, either mix costs its border).
    """
    n = len(costs.ops)
    source, sink = n, n + 1
    edges: dict[tuple[int, int], int] = {}

    def add(u: int, v: int, capacity: float) -> None:
        if capacity > 0:
            edges[(u, v)] = edges.get((u, v), 0) + round(capacity)

    writer = {t: i for i, op in enumerate(costs.ops) for t in op.writes}
    int8_cost = [float("inf") if q is None or op.name in required else q
                 for op, q in zip(costs.ops, costs.int8_cost, strict=True)]
    for i, op in enumerate(costs.ops):  # an op in the source's side is int8, in the sink's side float
        for t in set(op.reads):
            if t not in writer:  # a graph input: float, so an int8 reader pays its QUANTIZE
                int8_cost[i] += costs.quantize.get(t, 0.0)
            else:
                add(i, writer[t], costs.quantize.get(t, 0.0))  # float producer, int8 reader
                add(writer[t], i, costs.dequantize.get(t, 0.0))  # int8 producer, float reader
    for t in set(costs.outputs):  # graph outputs are float: an int8 producer pays a DEQUANTIZE
        if t in writer:
            int8_cost[writer[t]] += costs.dequantize.get(t, 0.0)
    finite = sum(edges.values()) + sum(max(f, 0.0) for f in costs.float_cost) + sum(
        max(q, 0.0) for q in int8_cost if q != float("inf"))
    infinite = int(finite) + 1  # more than any cut could cost: an op that must be float
    if infinite >= 2 ** 31:
        raise ValueError(f"{finite:.3g} instructions in one graph: too many for scipy's int32 capacities")
    for i in range(n):
        add(source, i, max(costs.float_cost[i], 0.0))
        add(i, sink, infinite if int8_cost[i] == float("inf") else max(int8_cost[i], 0.0))
    rows, cols = zip(*edges, strict=True)
    capacity = csr_array((np.array(list(edges.values()), np.int32), (np.array(rows), np.array(cols))),
                         shape=(n + 2, n + 2))
    flow = maximum_flow(capacity, source, sink).flow
    residual = capacity.toarray() - flow.toarray()
    int8_side = {source}
    pending = [source]
    while pending:
        u = pending.pop()
        for v in np.nonzero(residual[u] > 0)[0]:
            if int(v) not in int8_side:
                int8_side.add(int(v))
                pending.append(int(v))
    return [i not in int8_side for i in range(n)]


def blocks(calibrated: bytes, names: Sequence[str], size: int = BLOCK) -> list[tuple[str, frozenset[str]]]:
    """Repair blocks: runs of ``size`` ops in graph order, the output head and the squeeze branches."""
    found = [(f"ops {i}-{min(i + size, len(names)) - 1}", frozenset(names[i:i + size]))
             for i in range(0, len(names), size)]
    found += [(f"the first {n} ops", frozenset(names[:n])) for n in STEMS if n < len(names)]
    head = frozenset(islands.head_of(calibrated))
    if head:
        found.append(("output head", head))
    squeeze = frozenset(islands.squeeze_of(calibrated))
    if squeeze:
        found.append(("squeeze branches", squeeze))
    return found


def search(costs: Costs, accuracy: Gauge, goals: Sequence[Goal], groups: list[tuple[str, frozenset[str]]],
           starts: Sequence[tuple[str, frozenset[str]]] = (), say: Callable[[str], None] = lambda _: None) -> Found:
    """Repair and prune from the cheapest graph and from each of ``starts`` (e.g. the hand-chosen islands);
    the cheapest result that meets the floor, else the closest one (see the module docstring)."""
    solver = _Solver(costs)
    found = [_climb(solver, accuracy, goals, groups, label, required, say)
             for label, required in [("the cheapest graph", frozenset()), *starts]]
    return min(found, key=lambda f: (not f.met, f.predicted if f.met else shortfall(goals, f.accuracy)))


class _Solver:
    """The cheapest graph that keeps a required set of ops float (``cheapest``), remembered per set."""

    def __init__(self, costs: Costs) -> None:
        self.costs = costs
        self._names = [op.name for op in costs.ops]
        self._seen: dict[frozenset[str], frozenset[str]] = {}

    def floats(self, required: frozenset[str]) -> frozenset[str]:
        if required not in self._seen:
            mask = cheapest(self.costs, required)
            self._seen[required] = frozenset(n for n, f in zip(self._names, mask, strict=True) if f)
        return self._seen[required]

    def cost(self, required: frozenset[str]) -> float:
        return self.costs.predict(self.floats(required))


def _climb(solver: _Solver, accuracy: Gauge, goals: Sequence[Goal], groups: list[tuple[str, frozenset[str]]],
           label: str, required: frozenset[str], say: Callable[[str], None]) -> Found:
    """Repair: require blocks float until the floor holds; then prune: drop required blocks that are not needed.

    Every step re-solves the cheapest graph around what is required, so an op left float only because it
    was cheap there can go back to int8 when its neighbours change.
    """
    def met(req: frozenset[str]) -> bool:
        return shortfall(goals, accuracy(solver.floats(req))) <= 0

    steps = [f"from {label}: {len(solver.floats(required))} ops float, predicted {solver.cost(required) / 1e6:.2f} M"]
    say(steps[-1])
    gains: dict[str, float] = {}
    while not met(required):
        best = _best_block(solver, accuracy, goals, groups, required, gains, lazy=True)
        if best is None or best[0] <= 0:  # gains can grow as blocks combine: look at every block again
            best = _best_block(solver, accuracy, goals, groups, required, gains, lazy=False)
        if best is None:
            break  # everything is required float: nothing left to add
        if best[0] <= 0:  # a plateau: no single block helps; take the least harmful and let pruning tidy up
            steps.append("repair: no single block helps here; taking the least harmful")
            say(steps[-1])
        _, block, required = best
        steps.append(f"repair: {block} float -> shortfall {shortfall(goals, accuracy(solver.floats(required))):.4f}, "
                     f"predicted {solver.cost(required) / 1e6:.2f} M")
        say(steps[-1])
    while met(required):  # prune, biggest saving first
        options = sorted(((solver.cost(required) - solver.cost(required - group), name, required - group)
                          for name, group in groups if group & required), key=lambda o: -o[0])
        taken = next(((name, trial) for saving, name, trial in options if saving > 0 and met(trial)), None)
        if taken is None:
            break
        required = taken[1]
        steps.append(f"prune: {taken[0]} back to int8, predicted {solver.cost(required) / 1e6:.2f} M")
        say(steps[-1])
    floats = solver.floats(required)
    result = accuracy(floats)
    return Found(floats, solver.cost(required), result, shortfall(goals, result) <= 0, steps)


def _best_block(solver: _Solver, accuracy: Gauge, goals: Sequence[Goal], groups: list[tuple[str, frozenset[str]]],
                required: frozenset[str], gains: dict[str, float],
                lazy: bool) -> tuple[float, str, frozenset[str]] | None:
    """The block whose requirement lowers the score most per instruction it adds: (gain, label, new required)."""
    current = score(goals, accuracy(solver.floats(required)))
    best: tuple[float, str, frozenset[str]] | None = None
    for label, group in sorted(groups, key=lambda lg: -gains.get(lg[0], float("inf"))):
        if group <= required:
            continue
        if lazy and best is not None and gains.get(label, float("inf")) <= best[0]:
            break  # a block's gain per instruction mostly shrinks as others are added
        trial = required | group
        added = max(solver.cost(trial) - solver.cost(required), 1.0)
        gains[label] = (current - score(goals, accuracy(solver.floats(trial)))) / added
        if best is None or gains[label] > best[0]:
            best = (gains[label], label, trial)
    return best
