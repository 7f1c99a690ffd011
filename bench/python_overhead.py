"""Python-side overhead of one run(): a tiny model (y = x + x on float32[1, 8]) in
onnxruntime.InferenceSession and flowonnx.InferenceSession, microseconds per call, best of
several repeats (the model's own compute is nanoseconds, so this is the binding, feed and output
conversion and the session's fixed cost).

    .venv/bin/python bench/python_overhead.py [--runs 20000]
"""

import argparse
import timeit

import numpy as np
import onnx
import onnxruntime
from onnx import helper

import flowonnx


def tiny_model() -> bytes:
    graph = helper.make_graph(
        [helper.make_node("Add", ["x", "x"], ["y"])], "tiny",
        [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [1, 8])],
        [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [1, 8])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    return model.SerializeToString()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    model = tiny_model()
    x = np.ones((1, 8), np.float32)
    results = {}
    for module in (onnxruntime, flowonnx):
        options = module.SessionOptions()
        options.intra_op_num_threads = 1
        session = module.InferenceSession(model, sess_options=options,
                                          providers=["CPUExecutionProvider"])
        feed = {"x": x}
        np.testing.assert_array_equal(session.run(None, feed)[0], x + x)
        times = timeit.repeat(lambda: session.run(None, feed), number=args.runs,
                              repeat=args.repeats)
        results[module.__name__] = min(times) / args.runs * 1e6
    for name, us in results.items():
        print(f"{name:12s} {us:7.2f} us per run")
    print(f"flowonnx / onnxruntime: {results['flowonnx'] / results['onnxruntime']:.2f}")


if __name__ == "__main__":
    main()
