"""Small hand-made ONNX models for the tests (onnx.helper)."""

import numpy as np

onnx = None


def _onnx():
    global onnx
    if onnx is None:
        import onnx as module

        onnx = module
    return onnx


ONNX_TYPES = {
    np.float32: 1, np.uint8: 2, np.int8: 3, np.int16: 5, np.int32: 6, np.int64: 7,
    np.bool_: 9, np.float16: 10, np.float64: 11,
}


def unary_model(op, dtype, shape, out_dtype=None, opset=13, **attrs):
    """y = op(x) with x of `dtype` and `shape` (symbols allowed)."""
    helper = _onnx().helper
    elem = ONNX_TYPES[np.dtype(dtype).type]
    out_elem = ONNX_TYPES[np.dtype(out_dtype or dtype).type]
    graph = helper.make_graph(
        [helper.make_node(op, ["x"], ["y"], **attrs)], f"{op}_graph",
        [helper.make_tensor_value_info("x", elem, shape)],
        [helper.make_tensor_value_info("y", out_elem, None)],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    return model.SerializeToString()


def binary_model(op, dtype, shape, opset=13):
    """z = op(x, y), both of `dtype` and `shape`."""
    helper = _onnx().helper
    elem = ONNX_TYPES[np.dtype(dtype).type]
    graph = helper.make_graph(
        [helper.make_node(op, ["x", "y"], ["z"])], f"{op}_graph",
        [helper.make_tensor_value_info("x", elem, shape),
         helper.make_tensor_value_info("y", elem, shape)],
        [helper.make_tensor_value_info("z", elem, None)],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    return model.SerializeToString()


def matmul_chain_model(size, depth, seed=0):
    """x [N, size] -> depth x (MatMul by a fixed random matrix, Tanh): a CPU-bound model."""
    helper, numpy_helper = _onnx().helper, _onnx().numpy_helper
    rng = np.random.default_rng(seed)
    nodes, inits, value = [], [], "x"
    for i in range(depth):
        w = (rng.standard_normal((size, size)) / np.sqrt(size)).astype(np.float32)
        inits.append(numpy_helper.from_array(w, f"w{i}"))
        nodes.append(helper.make_node("MatMul", [value, f"w{i}"], [f"m{i}"]))
        nodes.append(helper.make_node("Tanh", [f"m{i}"], [f"t{i}"]))
        value = f"t{i}"
    nodes.append(helper.make_node("Identity", [value], ["y"]))
    graph = helper.make_graph(nodes, "chain", [helper.make_tensor_value_info("x", 1, ["N", size])],
                              [helper.make_tensor_value_info("y", 1, ["N", size])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    return model.SerializeToString()
