"""Choose one model's int8 graph for each CPU class: forms, costs, accuracy floor, search, exact counts, x86 pick.

A model's *forms* are its float graphs with each rewritable kind (PRELU,
HARD_SWISH) either rewritten into int8-friendly ops or kept whole as float
islands. Each form is calibrated once; its per-op costs are counted on every
core (``costs``), and ``search`` picks its float ops per core. The
hand-chosen islands of the spec set the accuracy floor and are a starting
point too, so a class never gets a graph that costs more than they do there.
Every finalist is counted whole: the choice rests on measured counts, not
predictions.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from tools.modelfactory import costs, fp16, islands, pipeline, report, search, source, variants
from tools.modelfactory.armcount import Counter
from tools.modelfactory.runner import Runner
from tools.modelfactory.specs import ModelSpec

X86_ROUNDS = 10  # x86 latency: rounds alternating the graphs, invokes per round
X86_INVOKES = 20
X86_MARGIN = 0.03  # x86 leaves the default class's graph only for one at least this much faster (noise)


@dataclass
class Form:
    """One float graph of a model, calibrated, with its per-core op costs and an accuracy gauge."""

    keep: tuple[str, ...]
    build: pipeline.FloatBuild
    calibrated: bytes
    costs: dict[str, costs.Costs]
    accuracy: search.Accuracy
    groups: list[tuple[str, frozenset[str]]]

    @property
    def names(self) -> list[str]:
        return [op.name for op in next(iter(self.costs.values())).ops]


@dataclass
class Pick:
    """A finalist graph for one class."""

    form: Form
    floats: frozenset[str]
    graph: bytes
    accuracy: dict[str, float]
    count: int  # ARM instructions on the class's core, counted whole
    origin: str  # "search" or "hand"


def forms_of(spec: ModelSpec, hand: pipeline.FloatBuild) -> list[tuple[str, ...]]:
    """Every combination of keeping or rewriting the rewritable op kinds present in the model."""
    from tools.modelfactory import graph as g

    model = g.load(hand.reference)
    present = {g.op_name(model, op) for op in model.subgraphs[0].operators}
    kinds = [kind for kind in variants.REWRITTEN_KINDS if kind in present]
    return [tuple(k for k in kinds if k in chosen)
            for r in range(len(kinds) + 1) for chosen in itertools.combinations(kinds, r)]


def prepare(spec: ModelSpec, hand: pipeline.FloatBuild, keep: tuple[str, ...], calibration: list[np.ndarray],
            tuning: list[np.ndarray], counter: Counter, cores: Sequence[str]) -> Form:
    """Build, calibrate and cost one form."""
    build = hand if keep == hand.keep else pipeline.build_float(spec, hand.original, keep)
    calibrated = pipeline.calibrated_model(build, calibration)
    per_core = {core: costs.measure(calibrated, build.quantizable, counter, core, fp16.wanted(spec.name))
                for core in cores}
    accuracy = search.Accuracy(spec, hand.reference,
                               lambda floats: pipeline.quantized(build, calibrated, tuple(sorted(floats))), tuning)
    names = [op.name for op in next(iter(per_core.values())).ops]
    return Form(keep, build, calibrated, per_core, accuracy, search.blocks(calibrated, names))


def goals_for(spec: ModelSpec, hand_accuracy: dict[str, float]) -> list[search.Goal]:
    """Each target of the task, or where the hand-chosen islands miss it on the tuning split, their value."""
    found = []
    for target in report.ACCURACY_TARGETS[spec.task]:
        value = hand_accuracy[target.metric]
        floor = target.goal if target.met(value) else value
        found.append(search.Goal(target.metric, floor, target.higher_is_better, target.goal))
    return found


def choose(spec: ModelSpec, hand: pipeline.FloatBuild, calibration: list[np.ndarray], tuning: list[np.ndarray],
           counter: Counter, say: Callable[[str], None] = lambda _: None) -> variants.ModelVariants:
    """The search for one model: every form, every class, finalists counted whole, the x86 pick timed."""
    cores = list(variants.COUNTED_ON.values())
    forms = [prepare(spec, hand, keep, calibration, tuning, counter, cores) for keep in forms_of(spec, hand)]
    hand_form = next(f for f in forms if f.keep == hand.keep)
    hand_floats = frozenset(islands.for_spec(hand_form.calibrated, spec))
    goals = goals_for(spec, hand_form.accuracy(hand_floats))
    say(f"{spec.name}: floor " + ", ".join(f"{g.metric} {'≥' if g.higher_is_better else '≤'} {g.floor:.4g}"
                                          for g in goals))
    reference = hand.reference
    chosen: dict[str, Pick] = {}
    for cls, core in variants.COUNTED_ON.items():
        picks = [Pick(hand_form, hand_floats, hand_form.accuracy.graph(hand_floats), hand_form.accuracy(hand_floats),
                      0, "hand")]
        for form in forms:
            starts = [("the hand-chosen islands", hand_floats)] if form is hand_form else []
            found = search.search(form.costs[core], form.accuracy, goals, form.groups, starts,
                                  say=lambda line, f=form, c=core: say(f"{spec.name} {c} {_form_name(f)}: {line}"))
            if found.met:
                picks.append(Pick(form, found.floats, form.accuracy.graph(found.floats), found.accuracy, 0, "search"))
        counted = counter.count({str(i): p.graph for i, p in enumerate(picks)}, core)
        for i, pick in enumerate(picks):
            pick.count = counted[str(i)] or 2 ** 62
        chosen[cls] = min(picks, key=lambda p: p.count)
        say(f"{spec.name} {core}: " + "; ".join(f"{p.origin} {_form_name(p.form)} {p.count / 1e6:.2f} M"
                                                  for p in picks) + f" -> {chosen[cls].count / 1e6:.2f} M")
    if spec.name in variants.ONE_GRAPH:
        say(f"{spec.name}: every class gets the {variants.DEFAULT} graph: {variants.ONE_GRAPH[spec.name]}")
        chosen = dict.fromkeys(chosen, chosen[variants.DEFAULT])
    graphs = {"float": reference, **{cls: pick.graph for cls, pick in chosen.items()}}
    counts = {core: counter.count(graphs, core) for core in cores}
    classes = {}
    for cls, pick in chosen.items():
        summary = describe(pick.form, pick.floats, spec)
        classes[cls] = variants.Variant(
            variants.Islands(pick.form.keep, tuple(sorted(pick.floats)), summary),
            {core: int(counts[core][cls] or 0) for core in cores},
            {k: round(float(v), 6) for k, v in pick.accuracy.items()},
            source.sha256(pick.graph))
    x86, timings = _x86_pick({cls: pick.graph for cls, pick in chosen.items()}, tuning[0])
    return variants.ModelVariants(classes, {core: int(counts[core]["float"] or 0) for core in cores}, x86, timings)


def describe(form: Form, floats: frozenset[str], spec: ModelSpec) -> str:
    """The float ops in words: named groups whole, the rest as op ranges with their kinds."""
    names = form.names
    kinds = [op.kind for op in next(iter(form.costs.values())).ops]
    parts = []
    rest = set(floats)
    for kind in form.keep:
        of_kind = {n for n, k in zip(names, kinds, strict=True) if k == kind}
        if of_kind and of_kind <= rest:
            parts.append(f"every {kind} (kept whole, not rewritten)")
            rest -= of_kind
    for label, group in form.groups:
        if not label.startswith("ops ") and not label.startswith("the first") and group <= rest:
            parts.append(f"the {label.removeprefix('the ')}")
            rest -= group
    runs: list[tuple[int, int]] = []
    for i, name in enumerate(names):
        if name in rest:
            if runs and runs[-1][1] == i - 1:
                runs[-1] = (runs[-1][0], i)
            else:
                runs.append((i, i))
    if runs:
        counted: dict[str, int] = {}
        for first, last in runs:
            for k in kinds[first:last + 1]:
                counted[k] = counted.get(k, 0) + 1
        spans = ", ".join(f"{a}-{b}" if b > a else f"{a}" for a, b in runs)
        by_kind = ", ".join(f"{k}×{v}" for k, v in sorted(counted.items(), key=lambda kv: -kv[1]))
        parts.append(f"ops {spans} ({by_kind})")
    total = len(floats)
    return f"{total} of {len(names)} ops: " + "; ".join(parts) if parts else "no ops"


def _x86_pick(graphs: dict[str, bytes], sample: np.ndarray) -> tuple[str, dict[str, float]]:
    """The class whose graph runs fastest here (median of alternating rounds, 1 thread; the default class's unless
    another is ``X86_MARGIN`` faster); no timing if there is one graph."""
    distinct = {}
    for cls, graph in graphs.items():
        distinct.setdefault(graph, cls)
    if len(distinct) == 1:
        return variants.DEFAULT, {}
    runners = {cls: Runner(graph) for graph, cls in distinct.items()}
    times: dict[str, list[float]] = {cls: [] for cls in runners}
    for round_index in range(X86_ROUNDS):
        order = list(runners) if round_index % 2 == 0 else list(runners)[::-1]
        for cls in order:
            times[cls].extend(runners[cls].latencies(sample, X86_INVOKES, warmup=3))
    medians = {cls: round(float(np.median(t)) * 1000, 4) for cls, t in times.items()}
    fastest = min(medians, key=lambda c: medians[c])
    default = variants.DEFAULT if variants.DEFAULT in medians else fastest
    if medians[fastest] > (1 - X86_MARGIN) * medians[default]:
        fastest = default
    return fastest, medians


def _form_name(form: Form) -> str:
    return "kept " + "+".join(form.keep) if form.keep else "rewritten"



def unsearched(spec: ModelSpec) -> variants.ModelVariants:
    """A model the search has not seen, as recorded: its spec's islands for every class, nothing measured yet."""
    return variants.ModelVariants(dict.fromkeys(variants.CLASSES, variants.Variant(variants.hand_islands(spec))))


def recount(found: variants.ModelVariants, built: dict[str, pipeline.Built], counter: Counter,
            say: Callable[[str], None] = lambda _: None, float_graph: bytes | None = None) -> variants.ModelVariants:
    """The recorded choices with their rebuilt graphs counted anew, each class given the cheapest on its core.

    For a change to how graphs are made or run (the fp16 hint, a new LiteRT) without searching again: the
    islands stay as the search chose them, and so do their tuning figures (measured on x86, which the change
    must not move: ``build_models --check`` says if it did). A class moves to another class's recorded graph
    only when that one counts fewer instructions on its core; both met the same accuracy floor.
    """
    graphs = {key: b.int8 for key, b in built.items()}
    counts = {core: counter.count(graphs, core) for core in variants.COUNTED_ON.values()}
    floats = dict(found.float_instructions)
    if float_graph is not None:
        floats = {core: int(counter.count({"float": float_graph}, core)["float"] or 0)
                  for core in variants.COUNTED_ON.values()}
    recorded = {key: next(found.classes[c] for c in b.classes if c in found.classes) for key, b in built.items()}
    classes = {}
    for cls, core in variants.COUNTED_ON.items():
        key = min(graphs, key=lambda k, c=core: counts[c][k] or 2 ** 62)
        was = found.classes.get(cls)
        if was is not None and was.islands.key != recorded[key].islands.key:
            say(f"{cls}: moves to the `{key}` graph on {core}: "
                + ", ".join(f"{k} {counts[core][k] / 1e6:.2f} M" for k in graphs))
        classes[cls] = variants.Variant(recorded[key].islands,
                                        {c: int(counts[c][key] or 0) for c in variants.COUNTED_ON.values()},
                                        dict(recorded[key].tuning), source.sha256(graphs[key]))
    same = {cls for cls in classes if cls in found.classes and classes[cls].islands == found.classes[cls].islands}
    return variants.ModelVariants(classes, floats, found.x86_64,
                                  {cls: ms for cls, ms in found.x86_ms.items() if cls in same})
