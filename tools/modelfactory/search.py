"""Which ops to keep float32 for one CPU: the cheapest mixed graph that still meets the accuracy floor.

Three steps, per model and CPU, on the per-op ARM costs of ``costs``:

1. **Cheapest**: a local search over which ops are float (flip any run of up to 12 consecutive ops
   to float or to int8 while the predicted count drops), from all-int8 and from all-float.
2. **Repair**: while the tuning split misses the floor, make float the block of ops (4 consecutive
   ops in graph order, or the output head, or the squeeze-and-excite branches) that recovers the
   most accuracy per instruction it adds; lazily, as a block's gain only shrinks as others are added.
3. **Prune**: give back to int8 every float block whose removal keeps the floor, biggest saving first.

The floor is each accuracy target of the model's task, or where the hand-chosen islands of the spec
(what shipped before the search) miss a target on the tuning split, their own value there: a
variant may be no less accurate than that. Accuracy is measured with LiteRT on the host: the
kernels' int8 arithmetic is the same on every CPU, so one measurement serves both classes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from tools.modelfactory import graph as g
from tools.modelfactory import islands, metrics
from tools.modelfactory.costs import Costs
from tools.modelfactory.runner import Runner

RUNS = (1, 2, 3, 4, 6, 8, 12)  # lengths of the op runs the cost search flips at once
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

    def __init__(self, task: str, reference: bytes, graph_of: Callable[[frozenset[str]], bytes],
                 inputs: Sequence[np.ndarray]) -> None:
        self.metric = metrics.TASKS[task]
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


def cheapest(costs: Costs, start: list[bool] | None = None) -> list[bool]:
    """A local minimum of the predicted count over float/int8 choices, from ``start`` (or the better of all-int8
    and all-float)."""
    forced = [q is None for q in costs.int8_cost]
    if start is None:
        candidates = [_descend(costs, list(forced)), _descend(costs, [True] * len(forced))]
        return min(candidates, key=costs.predict_mask)
    return _descend(costs, [a or b for a, b in zip(start, forced, strict=True)])


def _descend(costs: Costs, mask: list[bool]) -> list[bool]:
    forced = [q is None for q in costs.int8_cost]
    best = costs.predict_mask(mask)
    improved = True
    while improved:
        improved = False
        for length in RUNS:
            for start in range(len(mask) - length + 1):
                for value in (True, False):
                    span = range(start, start + length)
                    if all(mask[i] == value or forced[i] for i in span):
                        continue
                    trial = list(mask)
                    for i in span:
                        trial[i] = value or forced[i]
                    cost = costs.predict_mask(trial)
                    if cost < best - 0.5:
                        mask, best, improved = trial, cost, True
    return mask


def blocks(calibrated: bytes, names: Sequence[str], size: int = BLOCK) -> list[tuple[str, frozenset[str]]]:
    """Repair blocks: runs of ``size`` ops in graph order, the output head and the squeeze branches."""
    found = [(f"ops {i}-{min(i + size, len(names)) - 1}", frozenset(names[i:i + size]))
             for i in range(0, len(names), size)]
    found += [(f"the first {n} ops", frozenset(names[:n])) for n in STEMS if n < len(names)]
    head = frozenset(islands.head_of(calibrated))
    if head:
        found.append(("output head", head))
    model = g.load(calibrated)
    squeeze = frozenset(islands._names(model.subgraphs[0], islands._squeeze(model)))
    if squeeze:
        found.append(("squeeze branches", squeeze))
    return found


def search(costs: Costs, accuracy: Gauge, goals: Sequence[Goal], groups: list[tuple[str, frozenset[str]]],
           starts: Sequence[tuple[str, frozenset[str]]] = (), say: Callable[[str], None] = lambda _: None) -> Found:
    """Repair and prune from the cheapest graph and from each of ``starts`` (e.g. the hand-chosen islands);
    the cheapest result that meets the floor, else the closest one (see the module docstring)."""
    names = [op.name for op in costs.ops]
    cheap = frozenset(n for n, f in zip(names, cheapest(costs), strict=True) if f)
    found = [_climb(costs, accuracy, goals, groups, label, floats | costs.forced, say)
             for label, floats in [("the cheapest graph", cheap), *starts]]
    return min(found, key=lambda f: (not f.met, f.predicted if f.met else shortfall(goals, f.accuracy)))


def _climb(costs: Costs, accuracy: Gauge, goals: Sequence[Goal], groups: list[tuple[str, frozenset[str]]],
           label: str, floats: frozenset[str], say: Callable[[str], None]) -> Found:
    predict = costs.predict
    steps = [f"from {label}: {len(floats)} ops float, predicted {predict(floats) / 1e6:.2f} M"]
    say(steps[-1])
    current = score(goals, accuracy(floats))
    gains: dict[str, float] = {}
    while shortfall(goals, accuracy(floats)) > 0:
        best = _best_block(goals, accuracy, groups, floats, current, predict, gains, lazy=True)
        if best is None or best[0] <= 0:  # gains can grow as blocks combine: look at every block again
            best = _best_block(goals, accuracy, groups, floats, current, predict, gains, lazy=False)
        if best is None:
            break  # everything is float: nothing left to add
        if best[0] <= 0:  # a plateau: no single block helps; take the least harmful and let pruning tidy up
            steps.append("repair: no single block helps here; taking the least harmful")
            say(steps[-1])
        _, block, floats, current = best
        steps.append(f"repair: {block} float -> shortfall {shortfall(goals, accuracy(floats)):.4f}, "
                     f"predicted {predict(floats) / 1e6:.2f} M")
        say(steps[-1])
    if shortfall(goals, accuracy(floats)) <= 0:
        floats = _prune(costs, accuracy, goals, groups, floats, steps, say)
    result = accuracy(floats)
    return Found(floats, predict(floats), result, shortfall(goals, result) <= 0, steps)


def _best_block(goals: Sequence[Goal], accuracy: Gauge, groups: list[tuple[str, frozenset[str]]],
                floats: frozenset[str], current: float, predict: Callable[[frozenset[str]], float],
                gains: dict[str, float], lazy: bool) -> tuple[float, str, frozenset[str], float] | None:
    """The block that lowers the score most per instruction it adds: (gain, label, new floats, new score)."""
    best: tuple[float, str, frozenset[str], float] | None = None
    for label, group in sorted(groups, key=lambda lg: -gains.get(lg[0], float("inf"))):
        if group <= floats:
            continue
        if lazy and best is not None and gains.get(label, float("inf")) <= best[0]:
            break  # a block's gain per instruction mostly shrinks as others are added
        trial = floats | group
        added = max(predict(trial) - predict(floats), 1.0)
        after = score(goals, accuracy(trial))
        gains[label] = (current - after) / added
        if best is None or gains[label] > best[0]:
            best = (gains[label], label, trial, after)
    return best


def _prune(costs: Costs, accuracy: Gauge, goals: Sequence[Goal], groups: list[tuple[str, frozenset[str]]],
           floats: frozenset[str], steps: list[str], say: Callable[[str], None]) -> frozenset[str]:
    while True:
        options = []
        for label, group in groups:
            trial = (floats - group) | costs.forced
            if trial != floats:
                options.append((costs.predict(floats) - costs.predict(trial), label, trial))
        taken = next(((label, trial) for saving, label, trial in sorted(options, key=lambda o: -o[0])
                      if saving > 0 and shortfall(goals, accuracy(trial)) <= 0), None)
        if taken is None:
            return floats
        floats = taken[1]
        steps.append(f"prune: {taken[0]} back to int8, predicted {costs.predict(floats) / 1e6:.2f} M")
        say(steps[-1])
