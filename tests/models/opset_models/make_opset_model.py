"""Builds a small model in a recent opset's forms with onnx.helper (PyTorch from PyPI is a multi-GB
download here): a ResNet block, a transformer encoder block and a U-Net block, seeded weights.

  make_opset_model.py NAME OUT.onnx     NAME = <kind>_opset<N>, e.g. transformer_opset23

writes OUT.onnx (checked by onnx.checker, full check) and OUT.onnx.batches (the batch sizes the
test runs). The newer the opset, the newer the forms: reductions and Pad with axes as inputs and
Split's num_outputs (18), Gelu (20), GroupNormalization with per-channel scale (21), Attention (23).
"""

import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


class Builder:
    def __init__(self, name, seed):
        self.rng = np.random.default_rng(seed)
        self.nodes, self.inits, self.name, self.count = [], [], name, 0

    def fresh(self, hint):
        self.count += 1
        return f"{hint}_{self.count}"

    def const(self, hint, array):
        name = self.fresh(hint)
        self.inits.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def weight(self, hint, shape, fan_in):
        return self.const(hint, (self.rng.standard_normal(shape) / np.sqrt(fan_in)).astype(np.float32))

    def op(self, op_type, inputs, outputs=1, **attrs):
        names = [self.fresh(op_type.lower()) for _ in range(outputs)]
        self.nodes.append(helper.make_node(op_type, inputs, names, **attrs))
        return names[0] if outputs == 1 else names

    def conv(self, x, cin, cout, k, stride=1):
        w = self.weight("w", (cout, cin, k, k), cin * k * k)
        b = self.const("b", (self.rng.standard_normal(cout) * 0.1).astype(np.float32))
        return self.op("Conv", [x, w, b], kernel_shape=[k, k], strides=[stride, stride],
                       pads=[k // 2] * 4)

    def batch_norm(self, x, c):
        scale = self.const("gamma", (1 + 0.1 * self.rng.standard_normal(c)).astype(np.float32))
        bias = self.const("beta", (0.1 * self.rng.standard_normal(c)).astype(np.float32))
        mean = self.const("mean", (0.1 * self.rng.standard_normal(c)).astype(np.float32))
        var = self.const("var", (1 + 0.2 * self.rng.random(c)).astype(np.float32))
        return self.op("BatchNormalization", [x, scale, bias, mean, var], epsilon=1e-5)

    def axes(self, values):
        return self.const("axes", np.array(values, dtype=np.int64))

    def model(self, inputs, outputs, opset):
        graph = helper.make_graph(self.nodes, self.name, inputs, outputs, self.inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                                  producer_name="flowonnx-tests")
        model.ir_version = 10 if opset >= 23 else 8
        onnx.checker.check_model(model, full_check=True)
        return model


def resnet_block(opset):
    """Stem conv, a basic block with a strided projection shortcut, mean-pool head, Gemm."""
    b = Builder("resnet_block", 1)
    x = b.op("Relu", [b.batch_norm(b.conv("image", 3, 16, 3), 16)])
    y = b.op("Relu", [b.batch_norm(b.conv(x, 16, 32, 3, stride=2), 32)])
    y = b.batch_norm(b.conv(y, 32, 32, 3), 32)
    shortcut = b.batch_norm(b.conv(x, 16, 32, 1, stride=2), 32)
    y = b.op("Relu", [b.op("Add", [y, shortcut])])
    pooled = b.op("ReduceMean", [y, b.axes([2, 3])], keepdims=0)  # axes as an input from 18
    logits = b.op("Gemm", [pooled, b.weight("fc", (10, 32), 32), b.const("fc_b", np.zeros(10, np.float32))],
                  transB=1)
    b.nodes[-1].output[0] = "logits"
    return b.model([helper.make_tensor_value_info("image", TensorProto.FLOAT, ["N", 3, 32, 32])],
                   [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 10])], opset)


def transformer(opset, tokens=12, dim=32, heads=4):
    """Pre-norm encoder block: LayerNormalization, self-attention (the Attention op from 23, else
    spelled out), residual, LayerNormalization, MLP with Gelu (the op from 20, else erf), residual."""
    b = Builder("transformer", 2)
    ones = b.const("ln_scale", np.ones(dim, np.float32))
    zeros = b.const("ln_bias", np.zeros(dim, np.float32))
    h = b.op("LayerNormalization", ["x", ones, zeros], axis=-1, epsilon=1e-5)
    q, k, v = (b.op("MatMul", [h, b.weight(n, (dim, dim), dim)]) for n in "qkv")
    if opset >= 23:
        attended = b.op("Attention", [q, k, v], q_num_heads=heads, kv_num_heads=heads)
    else:
        head_shape = b.const("head_shape", np.array([0, tokens, heads, dim // heads], np.int64))
        split = [b.op("Transpose", [b.op("Reshape", [t, head_shape])], perm=[0, 2, 1, 3]) for t in (q, k, v)]
        scores = b.op("MatMul", [split[0], b.op("Transpose", [split[1]], perm=[0, 1, 3, 2])])
        scores = b.op("Mul", [scores, b.const("scale", np.array(1 / np.sqrt(dim // heads), np.float32))])
        context = b.op("MatMul", [b.op("Softmax", [scores], axis=-1), split[2]])
        attended = b.op("Reshape", [b.op("Transpose", [context], perm=[0, 2, 1, 3]),
                                    b.const("merged", np.array([0, tokens, dim], np.int64))])
    x1 = b.op("Add", ["x", b.op("MatMul", [attended, b.weight("o", (dim, dim), dim)])])
    h2 = b.op("LayerNormalization", [x1, ones, zeros], axis=-1, epsilon=1e-5)
    up = b.op("MatMul", [h2, b.weight("up", (dim, 4 * dim), dim)])
    if opset >= 20:
        act = b.op("Gelu", [up])
    else:
        erf = b.op("Erf", [b.op("Div", [up, b.const("sqrt2", np.array(np.sqrt(2), np.float32))])])
        act = b.op("Mul", [b.op("Mul", [up, b.op("Add", [erf, b.const("one", np.array(1, np.float32))])]),
                           b.const("half", np.array(0.5, np.float32))])
    b.op("Add", [x1, b.op("MatMul", [act, b.weight("down", (4 * dim, dim), 4 * dim)])])
    b.nodes[-1].output[0] = "y"
    return b.model([helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", tokens, dim])],
                   [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", tokens, dim])], opset)


def unet_block(opset, c=8):
    """Down: conv, normalisation (GroupNormalization from 21, else InstanceNormalization), ReLU,
    max-pool; up: ConvTranspose, Pad with axes (18) to the skip's size, Concat, conv; a Resize to
    half size and a Split with num_outputs (18) on the way out."""
    b = Builder("unet_block", 3)
    x = b.conv("image", 3, c, 3)
    if opset >= 21:
        x = b.op("GroupNormalization", [x, b.const("gn_s", np.ones(c, np.float32)),
                                        b.const("gn_b", np.zeros(c, np.float32))], num_groups=2)
    else:
        x = b.op("InstanceNormalization", [x, b.const("in_s", np.ones(c, np.float32)),
                                           b.const("in_b", np.zeros(c, np.float32))])
    skip = b.op("Relu", [x])
    down = b.op("Relu", [b.conv(b.op("MaxPool", [skip], kernel_shape=[2, 2], strides=[2, 2]), c, 2 * c, 3)])
    up = b.op("ConvTranspose", [down, b.weight("up", (2 * c, c, 2, 2), 4 * c)], kernel_shape=[2, 2],
              strides=[2, 2])
    up = b.op("Pad", [up, b.const("pads", np.array([0, 0, 0, 0], np.int64)), "", b.axes([2, 3])])
    merged = b.conv(b.op("Concat", [skip, up], axis=1), 2 * c, c, 3)
    scales = b.const("scales", np.array([1, 1, 0.5, 0.5], np.float32))
    small = b.op("Resize", [merged, "", scales], mode="linear")
    halves = b.op("Split", [small], outputs=2, axis=1, num_outputs=2)
    b.op("Add", halves)
    b.nodes[-1].output[0] = "y"
    return b.model([helper.make_tensor_value_info("image", TensorProto.FLOAT, ["N", 3, 16, 16])],
                   [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", c // 2, 8, 8])], opset)


BUILDERS = {"resnet_block": resnet_block, "transformer": transformer, "unet_block": unet_block}


def main():
    name, out = sys.argv[1], sys.argv[2]
    kind, opset = name.rsplit("_opset", 1)
    model = BUILDERS[kind](int(opset))
    onnx.save(model, out)
    with open(out + ".batches", "w") as f:
        f.write("1 3\n")


if __name__ == "__main__":
    main()
