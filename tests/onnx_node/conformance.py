"""ONNX backend node tests through one harness, for flowonnx and for ONNX Runtime alike.

Every folder of the pinned onnx wheel's onnx/backend/test/data/node (or --data) is one test: its
model.onnx runs on test_data_set_0/input_*.pb and each output must equal output_*.pb like
upstream's runner compares (rtol 1e-3, atol 1e-7, NaN equal to NaN, dtype and shape exact).
flowonnx runs through the CLI (`flowonnx run model --input ... --output ...`, one process per
test, so a crash is one failure), ONNX Runtime (CPU provider, default options) in this process.

  conformance.py --flowonnx build/tools/flowonnx/flowonnx [--ort] [--passing FILE] [--markdown]

prints pass counts by the model's ai.onnx opset for each runtime, and with --passing writes the
names flowonnx passes (the candidate allowlist of tests/onnx_node).
"""

import argparse
import collections
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import numpy_helper


def default_data_dir():
    return os.path.join(os.path.dirname(onnx.__file__), "backend", "test", "data", "node")


def model_opset(model):
    for entry in model.opset_import:
        if entry.domain in ("", "ai.onnx"):
            return entry.version
    return 0


def read_tensor(path):
    tensor = onnx.TensorProto()
    with open(path, "rb") as f:
        tensor.ParseFromString(f.read())
    return numpy_helper.to_array(tensor)


def read_value(path, value_info):
    """A .pb file as numpy (tensors) or None when it is not a plain tensor (sequence, optional)."""
    if not value_info.type.HasField("tensor_type"):
        return None
    return read_tensor(path)


def same(actual, expected):
    if actual.dtype != expected.dtype or actual.shape != expected.shape:
        return False
    if expected.dtype.kind in "fc":
        a = actual.astype(np.float64)
        e = expected.astype(np.float64)
        both_nan = np.isnan(a) & np.isnan(e)
        close = np.isclose(a, e, rtol=1e-3, atol=1e-7) | both_nan | (a == e)
        return bool(close.all())
    return bool(np.array_equal(actual, expected))


def load_case(test_dir, model):
    """(inputs by file, expected outputs) or raises when a value is not a plain tensor."""
    data = os.path.join(test_dir, "test_data_set_0")
    initializers = {init.name for init in model.graph.initializer}
    graph_inputs = [i for i in model.graph.input if i.name not in initializers]
    inputs = []
    for k, info in enumerate(graph_inputs):
        path = os.path.join(data, f"input_{k}.pb")
        if os.path.exists(path):
            if read_value(path, info) is None:
                raise ValueError(f"input {info.name} is not a tensor")
            inputs.append((info.name, path))
    expected = []
    for k, info in enumerate(model.graph.output):
        value = read_value(os.path.join(data, f"output_{k}.pb"), info)
        if value is None:
            raise ValueError(f"output {info.name} is not a tensor")
        expected.append(value)
    return inputs, expected


def run_ort(test_dir, inputs, expected):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.log_severity_level = 4
    session = ort.InferenceSession(os.path.join(test_dir, "model.onnx"), options,
                                   providers=["CPUExecutionProvider"])
    feeds = {name: read_tensor(path) for name, path in inputs}
    outputs = session.run(None, feeds)
    return all(same(np.asarray(a), e) for a, e in zip(outputs, expected))


def run_flowonnx(binary, test_dir, inputs, expected, scratch):
    outs = [os.path.join(scratch, f"out_{k}.pb") for k in range(len(expected))]
    command = [binary, "run", os.path.join(test_dir, "model.onnx")]
    for name, path in inputs:
        command += ["--input", f"{name}={path}"]
    for path in outs:
        command += ["--output", path]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        return False
    return all(same(read_tensor(path), e) for path, e in zip(outs, expected))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=default_data_dir())
    parser.add_argument("--flowonnx", help="path of the flowonnx CLI")
    parser.add_argument("--ort", action="store_true", help="also run ONNX Runtime")
    parser.add_argument("--passing", help="write the tests flowonnx passes to this file")
    parser.add_argument("--ort-passing", help="write the tests ONNX Runtime passes to this file")
    parser.add_argument("--filter", default="", help="only tests whose name contains this")
    args = parser.parse_args()

    names = sorted(n for n in os.listdir(args.data) if args.filter in n)
    totals = collections.Counter()
    passed = {"flowonnx": collections.Counter(), "ort": collections.Counter()}
    ours, theirs = [], []
    with tempfile.TemporaryDirectory() as scratch:
        for name in names:
            test_dir = os.path.join(args.data, name)
            model = onnx.load(os.path.join(test_dir, "model.onnx"))
            opset = model_opset(model)
            totals[opset] += 1
            try:
                inputs, expected = load_case(test_dir, model)
            except ValueError:
                continue  # sequences/optionals: counted in the total, passed by neither here
            if args.flowonnx:
                try:
                    ok = run_flowonnx(args.flowonnx, test_dir, inputs, expected, scratch)
                except subprocess.TimeoutExpired:
                    ok = False
                if ok:
                    passed["flowonnx"][opset] += 1
                    ours.append(name)
            if args.ort:
                try:
                    ok = run_ort(test_dir, inputs, expected)
                except Exception:  # noqa: BLE001 - a refusal is a failed test, as for flowonnx
                    ok = False
                if ok:
                    passed["ort"][opset] += 1
                    theirs.append(name)

    def count(runtime, enabled, opset=None):
        if not enabled:
            return "-"
        counts = passed[runtime]
        return sum(counts.values()) if opset is None else counts[opset]

    print("| opset | tests | flowonnx | ONNX Runtime |")
    print("|---|---|---|---|")
    for opset in sorted(totals):
        print(f"| {opset} | {totals[opset]} | {count('flowonnx', args.flowonnx, opset)} "
              f"| {count('ort', args.ort, opset)} |")
    print(f"| all | {sum(totals.values())} | {count('flowonnx', args.flowonnx)} "
          f"| {count('ort', args.ort)} |")
    for path, names in ((args.passing, ours), (args.ort_passing, theirs)):
        if path:
            with open(path, "w") as f:
                f.write("".join(n + "\n" for n in names))
    return 0


if __name__ == "__main__":
    sys.exit(main())
