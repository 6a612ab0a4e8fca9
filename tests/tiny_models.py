"""Tiny float .tflite models written straight with the flatbuffer schema, for the rewrite-pass tests."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from ai_edge_litert import schema_py_generated as fb

from tools.modelfactory import graph as g


class TinyModel:
    """Build a one-subgraph model op by op: ``t = m.op(...)`` returns the output tensor index."""

    def __init__(self, input_shape: Sequence[int], seed: int = 0) -> None:
        self.model = fb.ModelT()
        self.model.version = 3
        self.model.buffers = [fb.BufferT()]
        self.model.operatorCodes = []
        self.model.description = b"tiny test model"
        sub = fb.SubGraphT()
        sub.tensors, sub.operators = [], []
        self.model.subgraphs = [sub]
        self.rng = np.random.default_rng(seed)
        self.input = g.add_tensor(self.model, "input", input_shape)
        sub.inputs = np.array([self.input], np.int32)

    @property
    def sub(self) -> fb.SubGraphT:
        return self.model.subgraphs[0]

    def const(self, name: str, array: np.ndarray, fp16_behind_dequantize: bool = False) -> int:
        """A constant; optionally stored fp16 behind a DEQUANTIZE, the way MediaPipe ships weights."""
        array = np.asarray(array)
        if not fp16_behind_dequantize:
            return g.add_tensor(self.model, name, array.shape, array.dtype.type, array)
        half = g.add_tensor(self.model, f"{name}_fp16", array.shape, np.float16, array.astype(np.float16))
        out = g.add_tensor(self.model, name, array.shape)
        self.sub.operators.append(g.make_op(self.model, fb.BuiltinOperator.DEQUANTIZE, [half], [out]))
        return out

    def shape(self, tensor: int) -> tuple[int, ...]:
        return g.shape_of(self.sub.tensors[tensor])

    def op(self, builtin: int, inputs: Sequence[int], out_shape: Sequence[int], options_type: int = 0,
           options: object | None = None, name: str = "t") -> int:
        out = g.add_tensor(self.model, f"{name}{len(self.sub.tensors)}", out_shape)
        self.sub.operators.append(g.make_op(self.model, builtin, inputs, [out], options_type, options))
        return out

    def conv(self, source: int, channels: int, kernel: int = 3, activation: int = 0, fp16: bool = False) -> int:
        n, h, w, c = self.shape(source)
        weights = self.const("w", self.rng.normal(0, 0.5, (channels, kernel, kernel, c)).astype(np.float32), fp16)
        bias = self.const("b", self.rng.normal(0, 0.1, channels).astype(np.float32), fp16)
        options = fb.Conv2DOptionsT()
        options.padding = fb.Padding.SAME
        options.strideW = options.strideH = 1
        options.dilationWFactor = options.dilationHFactor = 1
        options.fusedActivationFunction = activation
        return self.op(fb.BuiltinOperator.CONV_2D, [source, weights, bias], (n, h, w, channels),
                       fb.BuiltinOptions.Conv2DOptions, options, "conv")

    def add(self, a: int, b: int) -> int:
        options = fb.AddOptionsT()
        return self.op(fb.BuiltinOperator.ADD, [a, b], self.shape(a), fb.BuiltinOptions.AddOptions, options, "add")

    def unary(self, builtin: int, source: int) -> int:
        return self.op(builtin, [source], self.shape(source))

    def custom(self, code: str, inputs: Sequence[int], out_shape: Sequence[int], options: bytes) -> int:
        index = len(self.model.operatorCodes)
        opcode = fb.OperatorCodeT()
        opcode.builtinCode = opcode.deprecatedBuiltinCode = fb.BuiltinOperator.CUSTOM
        opcode.customCode = code.encode()
        opcode.version = 1
        self.model.operatorCodes.append(opcode)
        out = g.add_tensor(self.model, f"custom{len(self.sub.tensors)}", out_shape)
        op = fb.OperatorT()
        op.opcodeIndex = index
        op.inputs = np.array(list(inputs), np.int32)
        op.outputs = np.array([out], np.int32)
        op.customOptions = np.frombuffer(options, np.uint8).copy()
        self.sub.operators.append(op)
        return out

    def finish(self, *outputs: int) -> bytes:
        self.sub.outputs = np.array(list(outputs), np.int32)
        return g.save(self.model)

    def inputs(self, count: int = 3, low: float = -4.0, high: float = 4.0) -> list[np.ndarray]:
        shape = self.shape(self.input)
        return [self.rng.uniform(low, high, shape).astype(np.float32) for _ in range(count)]
