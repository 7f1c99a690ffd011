#!/usr/bin/env python3
"""Writes the Loop-overhead benchmark model: a Loop of ITERATIONS (default 1000) iterations whose
body is one Add on a [4] float tensor (x <- x + step, `step` read from the main graph), so the time
per run is almost all per-iteration overhead of the runtime's Loop.

  .venv/bin/python bench/make_loop_model.py OUT.onnx [--iterations N]

Compare: build/tools/flowonnx/flowonnx bench OUT.onnx --runs 200
         .venv/bin/python tests/oracle/bench_model.py OUT.onnx --runs 200
and divide each median by the iteration count."""
import argparse

import onnx
from onnx import TensorProto, helper


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--iterations", type=int, default=1000)
    args = parser.parse_args()
    body = helper.make_graph(
        [helper.make_node("Add", ["x_in", "step"], ["x_out"]),
         helper.make_node("Identity", ["cond_in"], ["cond_out"])],
        "body",
        [helper.make_tensor_value_info("i", TensorProto.INT64, []),
         helper.make_tensor_value_info("cond_in", TensorProto.BOOL, []),
         helper.make_tensor_value_info("x_in", TensorProto.FLOAT, [4])],
        [helper.make_tensor_value_info("cond_out", TensorProto.BOOL, []),
         helper.make_tensor_value_info("x_out", TensorProto.FLOAT, [4])])
    graph = helper.make_graph(
        [helper.make_node("Loop", ["M", "cond", "x"], ["y"], body=body)],
        "loop_overhead",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [4])],
        initializer=[helper.make_tensor("M", TensorProto.INT64, [], [args.iterations]),
                     helper.make_tensor("cond", TensorProto.BOOL, [], [True]),
                     helper.make_tensor("step", TensorProto.FLOAT, [4], [0.5, 1, 1.5, 2])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(model)
    onnx.save(model, args.out)


if __name__ == "__main__":
    main()
