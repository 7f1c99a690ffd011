#!/usr/bin/env python3
"""Times one ONNX model in ONNX Runtime (CPU execution provider) on deterministic inputs,
for the side-by-side benchmarks in bench/ (flowonnx vs ONNX Runtime, measured in the same run).

  bench_model.py MODEL.onnx [--input NAME=SHAPE ...] [--threads N] [--warmup W] [--runs R]
                 [--opt disabled|basic|extended|all]

SHAPE is 1x3x224x224 (or 1,3,224,224). Inputs not named take their shape from the model when it
is static. Input i holds the values `flowonnx bench` feeds (xorshift32 seeded 1234 + i; float
inputs: mapped to [-1, 1); int64/int32 inputs such as token ids: the value modulo 100). Prints
one JSON object: session_create_ms, median_ms, min_ms, mean_ms, runs, warmup, threads, opt,
onnxruntime. Any error: the message on stderr, exit code 1.
"""
import argparse
import json
import statistics
import time

from ort_common import add_session_arguments, open_session, ort, run_main


def shape_arg(spec):
    name, eq, dims = spec.rpartition("=")
    if not eq or not name:
        raise argparse.ArgumentTypeError(f"--input '{spec}' is not NAME=SHAPE")
    try:
        shape = [int(d) for d in dims.replace(",", "x").split("x")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"bad shape in --input '{spec}'") from None
    if any(d < 0 for d in shape):
        raise argparse.ArgumentTypeError(f"bad shape in --input '{spec}'")
    return name, shape


def xorshift32(count, seed):
    """The xorshift32 stream tools/flowonnx/cmd_bench.cc draws its inputs from."""
    state = (seed & 0xFFFFFFFF) or 0x9E3779B9
    for _ in range(count):
        state ^= (state << 13) & 0xFFFFFFFF
        state ^= state >> 17
        state ^= (state << 5) & 0xFFFFFFFF
        yield state


def random_floats(count, seed):
    """Uniform [-1, 1) from xorshift32, as tools/flowonnx/cmd_bench.cc computes them."""
    import numpy as np

    values = np.empty(count, dtype=np.float32)
    for i, state in enumerate(xorshift32(count, seed)):
        values[i] = state / 4294967296.0 * 2.0 - 1.0
    return values


# ONNX input type -> numpy dtype of the integer inputs bench feeds (values in [0, 100)).
INT_TYPES = {"tensor(int64)": "int64", "tensor(int32)": "int32"}


def bench_input(onnx_type, count, seed):
    """The input `flowonnx bench` feeds: float32 uniform [-1, 1), int64/int32 xorshift32 % 100."""
    import numpy as np

    if onnx_type == "tensor(float)":
        return random_floats(count, seed)
    if onnx_type in INT_TYPES:
        return np.fromiter((s % 100 for s in xorshift32(count, seed)), dtype=INT_TYPES[onnx_type],
                           count=count)
    raise ValueError(f"bench_model.py feeds float, int64 and int32 only, not {onnx_type}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model")
    parser.add_argument("--input", type=shape_arg, action="append", default=[])
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--runs", type=int, default=10)
    add_session_arguments(parser)
    args = parser.parse_args()
    if args.warmup < 0 or args.runs < 1:
        raise ValueError("--warmup must be >= 0 and --runs >= 1")

    start = time.perf_counter()
    session = open_session(args.model, args.opt, args.threads)
    create_ms = (time.perf_counter() - start) * 1e3

    shapes = dict(args.input)
    inputs = session.get_inputs()
    for name in shapes:
        if name not in [arg.name for arg in inputs]:
            raise ValueError(f"model has no input '{name}' (inputs: {', '.join(a.name for a in inputs)})")
    feeds = {}
    for index, arg in enumerate(inputs):
        if arg.type != "tensor(float)" and arg.type not in INT_TYPES:
            raise ValueError(f"input '{arg.name}' is {arg.type}; bench_model.py feeds float, "
                             "int64 and int32 only")
        shape = shapes.get(arg.name)
        if shape is None:
            if not all(isinstance(d, int) and d >= 0 for d in arg.shape):
                raise ValueError(f"input '{arg.name}' has no static shape; pass --input {arg.name}=SHAPE")
            shape = arg.shape
        count = 1
        for d in shape:
            count *= d
        feeds[arg.name] = bench_input(arg.type, count, 1234 + index).reshape(shape)

    for _ in range(args.warmup):
        session.run(None, feeds)
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        session.run(None, feeds)
        times.append((time.perf_counter() - start) * 1e3)
    print(json.dumps({
        "session_create_ms": round(create_ms, 3),
        "median_ms": round(statistics.median(times), 3),
        "min_ms": round(min(times), 3),
        "mean_ms": round(statistics.fmean(times), 3),
        "runs": args.runs,
        "warmup": args.warmup,
        "threads": args.threads,
        "opt": args.opt,
        "onnxruntime": ort.__version__,
    }, separators=(",", ":")))


if __name__ == "__main__":
    run_main(main, "bench_model.py")
