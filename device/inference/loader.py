"""Runtime loader for the shipped int8 models (and, on request, their float references).

Every model file is checked against ``models_tflite/manifest.toml`` before it
is loaded: a missing, corrupt or different file raises ``ModelError`` naming
the file and the command that rebuilds it. The loader never falls back to the
float model on its own; the float reference loads only when asked for with
``variant="float"`` (for the report, the benchmark and tests).

A model may ship one int8 graph per CPU class (``int8`` for ARM without int8
dot product, the default; ``int8_dotprod`` for ARM with it): each manifest
table lists the classes (``cpus``) it is for. Without ``variant`` the loader
picks the one for this CPU (``magicbooth.inference.cpu``), or for ``cpu=`` when
given, and logs which. A key (``variant="int8"``, ``"int8_dotprod"``) loads that
file whatever the CPU: the report and the benchmark measure every graph so.

Callers get float outputs back (a dict keyed by the manifest's output names,
in model order) and pass either float input in the model's normalised range
(``invoke``) or a uint8 RGB image already at the model's input size
(``invoke_rgb``: the fast path; for the int8-I/O models the pixels only get
their top bit flipped). Whether a file's own I/O is int8 or float (the
manifest's ``io``) is hidden here. What each output means, and the input
normalisation, are in ``model.entry`` (from the manifest).

>>> import numpy as np
>>> def shapes(out): return {name: value.shape for name, value in out.items()}
>>> detector = load_model("face_detection_short_range", threads=1)   # [inference] threads: 0 means cores - 1
>>> detector.input_shape, detector.value_range
((1, 128, 128, 3), (-1.0, 1.0))
>>> shapes(detector.invoke_rgb(np.zeros((128, 128, 3), np.uint8)))
{'regressors': (1, 896, 16), 'classificators': (1, 896, 1)}
>>> shapes(load_model("face_landmark", threads=1).invoke_rgb(np.zeros((192, 192, 3), np.uint8)))
{'landmarks': (1, 1, 1, 1404), 'face_flag': (1, 1, 1, 1)}
>>> shapes(load_model("selfie_segmentation", threads=1).invoke_rgb(np.zeros((256, 256, 3), np.uint8)))
{'mask': (1, 256, 256, 1)}
>>> load_model("face_detection_short_range", threads=1, variant="float").variant
'float'
>>> load_model("face_detection_short_range", threads=1, cpu="arm").variant
'int8'

A ``Model`` wraps one LiteRT interpreter and is not thread-safe: give each
worker thread its own. LiteRT releases the GIL during ``invoke``.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np

from magicbooth.core.errors import ModelError
from magicbooth.inference import cpu as cpus
from magicbooth.inference.amx import keep_xnnpack_off_amx
from magicbooth.inference.delegation import Delegation, delegation_of

log = logging.getLogger(__name__)

MODELS_DIR = Path(str(resources.files("magicbooth.models_tflite")))
MANIFEST = "manifest.toml"
REGENERATE = "python tools/build_models.py"
VARIANTS = ("int8", "float")  # what every model has; further int8 graphs are named int8_<class>, e.g. int8_dotprod


def _interpreter_class() -> Any:
    """LiteRT's Interpreter, or tflite_runtime's where only that is installed (numpy < 2)."""
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:
        try:
            from tflite_runtime.interpreter import Interpreter
        except ImportError:
            raise ModelError("no TFLite runtime: install ai-edge-litert "
                             "(pip install 'ai-edge-litert>=2.0.2,<2.4')") from None
    return Interpreter


def default_threads(cpu_count: int | None = None) -> int:
    """CPU cores - 1, at least 1 and at most 4."""
    cores = cpu_count if cpu_count is not None else (os.cpu_count() or 1)
    return max(1, min(4, cores - 1))


def resolve_threads(threads: int | None) -> int:
    """An explicit positive thread count, or the default for None/0."""
    if threads is None or threads == 0:
        return default_threads()
    if threads < 0:
        raise ModelError(f"threads = {threads}: expected 0 (automatic) or a positive number")
    return threads


@dataclass(frozen=True)
class ManifestEntry:
    """One model variant as recorded in the manifest."""

    name: str
    variant: str
    file: str
    sha256: str
    task: str
    input_shape: tuple[int, ...]
    value_range: tuple[float, float]
    normalisation: str
    outputs: MappingProxyType[str, str]  # output name -> meaning, in model output order
    quantization: str
    io: str
    cpus: tuple[str, ...] = ()  # CPU classes this int8 graph is for (empty: float, or a manifest without classes)


def _manifest_data(models_dir: Path | None) -> tuple[Path, dict[str, Any]]:
    """The manifest's path and parsed TOML; one ``ModelError`` when it is missing or unreadable."""
    directory = Path(models_dir) if models_dir is not None else MODELS_DIR
    path = directory / MANIFEST
    try:
        return path, tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"{path}: model manifest missing; regenerate with '{REGENERATE}'") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ModelError(f"{path}: unreadable model manifest ({exc}); regenerate with '{REGENERATE}'") from None


def read_manifest(models_dir: Path | None = None) -> dict[tuple[str, str], ManifestEntry]:
    """Parse the manifest into entries keyed by (name, variant)."""
    path, data = _manifest_data(models_dir)
    entries: dict[tuple[str, str], ManifestEntry] = {}
    try:
        for name, model in data["models"].items():
            absent = [variant for variant in VARIANTS if variant not in model]
            if absent:  # every model has both; the message names what is missing
                raise KeyError(absent[0])
            for variant, part in model.items():
                if variant != "float" and not variant.startswith("int8"):
                    continue
                entries[(name, variant)] = ManifestEntry(
                    name=name, variant=variant, file=part["file"], sha256=part["sha256"], task=model["task"],
                    input_shape=tuple(model["input"]["shape"]),
                    value_range=(float(model["input"]["range"][0]), float(model["input"]["range"][1])),
                    normalisation=model["input"]["normalisation"],
                    outputs=MappingProxyType(dict(model["outputs"])),
                    quantization=part["quantization"], io=part["io"], cpus=tuple(part.get("cpus", ())))
    except (KeyError, TypeError, IndexError) as exc:
        raise ModelError(f"{path}: manifest lacks {exc}; regenerate with '{REGENERATE}'") from None
    return entries


def read_instructions(models_dir: Path | None = None) -> dict[tuple[str, str], dict[str, int]]:
    """The ARM instructions per invoke the manifest records, keyed by (name, graph): counted core -> count.

    From each graph's ``[models.<name>.<graph>.instructions]`` (``cortex-a72 = ...``, ``cortex-a76 = ...``).
    Further tables of counts beside or inside it (``instructions_fp16``, ``instructions.fp16``) come flattened
    with dots (``fp16.cortex-a76``); anything that is not a count is left out, and a graph without counts is absent.
    """
    _, data = _manifest_data(models_dir)
    found: dict[tuple[str, str], dict[str, int]] = {}
    models = data.get("models")
    for name, model in (models.items() if isinstance(models, dict) else ()):
        for graph, part in (model.items() if isinstance(model, dict) else ()):
            counts = _counts(part) if isinstance(part, dict) else {}
            if counts:
                found[(name, graph)] = counts
    return found


def _counts(part: dict[str, Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for key, table in part.items():
        if key.startswith("instructions") and isinstance(table, dict):
            counts.update(_flat(table, key.removeprefix("instructions").strip("_.")))
    return counts


def _flat(table: dict[str, Any], prefix: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for key, value in table.items():
        name = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            out.update(_flat(value, name))
        elif isinstance(value, int) and not isinstance(value, bool) and value > 0:
            out[name] = value
    return out


class Model:
    """One loaded model: float in, float out, named outputs."""

    def __init__(self, content: bytes, entry: ManifestEntry, threads: int, where: str = "<memory>",
                 picked_for: cpus.CpuClass | None = None) -> None:
        self._entry = entry
        self._threads = threads
        self._picked_for = picked_for
        keep_xnnpack_off_amx()
        try:
            self._interpreter = _interpreter_class()(model_content=content, num_threads=threads)
            self._interpreter.allocate_tensors()
        except (ValueError, RuntimeError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ModelError(f"{where}: LiteRT cannot load it ({first}); regenerate with '{REGENERATE}'") from None
        self._input = self._interpreter.get_input_details()[0]
        self._outputs = self._interpreter.get_output_details()
        shape = tuple(int(d) for d in self._input["shape"])
        if shape != entry.input_shape or len(self._outputs) != len(entry.outputs):
            raise ModelError(f"{where}: input {shape} with {len(self._outputs)} outputs, but the manifest says "
                             f"{entry.input_shape} with {len(entry.outputs)}; regenerate with '{REGENERATE}'")
        if entry.variant.startswith("int8") and not self._has_int8_tensors():
            raise ModelError(f"{where}: listed as int8 but holds no int8 tensors; regenerate with '{REGENERATE}'")
        self._delegation = delegation_of(self._interpreter)

    @property
    def name(self) -> str:
        return self._entry.name

    @property
    def variant(self) -> str:
        """The manifest key of the loaded graph: ``float``, ``int8``, ``int8_dotprod``..."""
        return self._entry.variant

    @property
    def picked_for(self) -> cpus.CpuClass | None:
        """The CPU class the graph was picked for (None when a variant was asked for by its key)."""
        return self._picked_for

    @property
    def entry(self) -> ManifestEntry:
        """The manifest record: normalisation, output meanings, quantization."""
        return self._entry

    @property
    def threads(self) -> int:
        return self._threads

    @property
    def input_shape(self) -> tuple[int, ...]:
        """NHWC input shape, e.g. (1, 128, 128, 3)."""
        return self._entry.input_shape

    @property
    def input_dtype(self) -> type:
        """What ``invoke`` takes: always float32 (int8 files are quantized inside)."""
        return np.float32

    @property
    def value_range(self) -> tuple[float, float]:
        """The float range pixel values 0..255 map onto."""
        return self._entry.value_range

    @property
    def output_names(self) -> tuple[str, ...]:
        return tuple(self._entry.outputs)

    @property
    def delegation(self) -> Delegation:
        """XNNPACK partitions and ops left on default kernels."""
        return self._delegation

    def invoke(self, inputs: np.ndarray) -> dict[str, np.ndarray]:
        """Run once on a float array of ``input_shape`` (a missing batch axis is added); float outputs by name."""
        array = self._checked(np.asarray(inputs, dtype=np.float32))
        return self._run(_to_tensor(array, self._input))

    def invoke_rgb(self, rgb: np.ndarray) -> dict[str, np.ndarray]:
        """Run on an RGB uint8 image already at the input size, normalised as the manifest says.

        The fast path for int8 models: when one int8 step is one pixel step and
        pixel 0 sits at -128, the input is the pixels with the top bit flipped.
        """
        pixels = self._checked(np.asarray(rgb))
        if pixels.dtype != np.uint8:
            raise ModelError(f"{self.name}: invoke_rgb takes uint8 pixels, got {pixels.dtype}")
        if self._pixels_are_int8:
            return self._run((pixels ^ np.uint8(0x80)).view(np.int8))
        low, high = self.value_range
        return self.invoke(pixels.astype(np.float32) * np.float32((high - low) / 255.0) + np.float32(low))

    @property
    def _pixels_are_int8(self) -> bool:
        if self._input["dtype"] != np.int8:
            return False
        scale, zero = self._input["quantization"]
        low, high = self.value_range
        step = (high - low) / 255.0
        return abs(scale - step) <= 1e-6 * step and abs(low / scale + zero + 128) < 1e-3

    def _checked(self, array: np.ndarray) -> np.ndarray:
        if array.ndim == len(self.input_shape) - 1:
            array = array[None]
        if array.shape != self.input_shape:
            raise ModelError(f"{self.name}: input shape {array.shape}, expected {self.input_shape}")
        return array

    def _run(self, tensor: np.ndarray) -> dict[str, np.ndarray]:
        self._interpreter.set_tensor(self._input["index"], tensor)
        self._interpreter.invoke()
        return {name: _from_tensor(self._interpreter.get_tensor(detail["index"]), detail)
                for name, detail in zip(self.output_names, self._outputs, strict=True)}

    def _has_int8_tensors(self) -> bool:
        return any(d["dtype"] == np.int8 for d in self._interpreter.get_tensor_details())


def _to_tensor(array: np.ndarray, detail: dict[str, Any]) -> np.ndarray:
    if detail["dtype"] == np.float32:
        return array
    scale, zero = detail["quantization"]
    info = np.iinfo(detail["dtype"])
    return np.clip(np.round(array / scale) + zero, info.min, info.max).astype(detail["dtype"])


def _from_tensor(array: np.ndarray, detail: dict[str, Any]) -> np.ndarray:
    if detail["dtype"] == np.float32:
        return array.copy()
    scale, zero = detail["quantization"]
    return (array.astype(np.float32) - zero) * np.float32(scale)


def pick(entries: dict[tuple[str, str], ManifestEntry], name: str, cpu_class: str) -> str:
    """The int8 variant of ``name`` for ``cpu_class``: the one listing the class, else the default class's."""
    mine = [e for (n, v), e in sorted(entries.items()) if n == name and v.startswith("int8")]
    for wanted in (cpu_class, cpus.DEFAULT):
        found = next((e.variant for e in mine if wanted in e.cpus), None)
        if found is not None:
            return found
    return "int8"


def load_model(name: str, threads: int | None = None, models_dir: Path | None = None,
               variant: str | None = None, cpu: str | None = None) -> Model:
    """Check ``name``'s file against the manifest and load it with an explicit thread count.

    ``threads`` None or 0 means the default (cores - 1, 1..4); pass ``config.inference.threads``.
    ``variant`` None is the int8 graph for this CPU's class (or for class ``cpu``); a manifest key
    ("float", "int8", "int8_dotprod") is that file.
    """
    directory = Path(models_dir) if models_dir is not None else MODELS_DIR
    entries = read_manifest(directory)
    if not any(n == name for n, _ in entries):
        known = sorted({n for n, _ in entries})
        raise ModelError(f"{directory / MANIFEST}: no model {name!r}; known: {', '.join(known)}")
    picked_for = None
    if variant is None:
        picked_for = cpus.CpuClass(cpu, "asked for") if cpu is not None else cpus.detect()
        variant = pick(entries, name, picked_for.name)
    entry = entries.get((name, variant))
    if entry is None:
        have = sorted(v for n, v in entries if n == name)
        raise ModelError(f"{name}: unknown variant {variant!r}; expected one of {', '.join(have)}")
    path = directory / entry.file
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        raise ModelError(f"{path}: model file missing; regenerate with '{REGENERATE}'") from None
    except OSError as exc:
        raise ModelError(f"{path}: cannot read model file ({exc.strerror}); regenerate with '{REGENERATE}'") from None
    digest = hashlib.sha256(content).hexdigest()
    if digest != entry.sha256:
        raise ModelError(f"{path}: sha256 {digest[:12]}… does not match the manifest's {entry.sha256[:12]}… "
                         f"(corrupt or a different model); regenerate with '{REGENERATE}'")
    count = resolve_threads(threads)
    model = Model(content, entry, count, where=str(path), picked_for=picked_for)
    why = f", the graph for CPU class {picked_for.describe()}" if picked_for is not None else ""
    log.info("loaded %s (%s%s; %d thread%s): %s", name, variant, why, count, "" if count == 1 else "s",
             model.delegation.describe())
    return model
