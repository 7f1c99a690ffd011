#!/usr/bin/env python3
"""Runs one ONNX model in ONNX Runtime (CPU execution provider): the independent oracle of the
flowonnx tests (tests/oracle/ort_oracle.h drives it).

  run_model.py MODEL.onnx OUT_DIR NAME=IN.npy ... [--opt disabled|basic|extended|all] [--threads N]

Feeds each named input from a .npy file, runs every output, and writes OUT_DIR/<index>.npy per
output in session output order plus OUT_DIR/names.txt (one output name per line). Any error: the
message on stderr, exit code 1.
"""
import argparse
import os

from ort_common import add_session_arguments, open_session, run_main


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model")
    parser.add_argument("out_dir")
    parser.add_argument("feeds", nargs="*", metavar="NAME=IN.npy")
    add_session_arguments(parser)
    args = parser.parse_intermixed_args()

    import numpy as np

    session = open_session(args.model, args.opt, args.threads)
    input_names = [arg.name for arg in session.get_inputs()]
    feeds = {}
    for spec in args.feeds:
        name, eq, file = spec.rpartition("=")
        if not eq or not name:
            raise ValueError(f"input '{spec}' is not NAME=FILE.npy")
        if name not in input_names:
            raise ValueError(f"model has no input '{name}' (inputs: {', '.join(input_names)})")
        feeds[name] = np.load(file, allow_pickle=False)
    outputs = session.run(None, feeds)

    os.makedirs(args.out_dir, exist_ok=True)
    names = [arg.name for arg in session.get_outputs()]
    for index, value in enumerate(outputs):
        if not isinstance(value, np.ndarray):
            raise ValueError(f"output '{names[index]}' is a {type(value).__name__}, not a tensor")
        np.save(os.path.join(args.out_dir, f"{index}.npy"), value)
    with open(os.path.join(args.out_dir, "names.txt"), "w") as out:
        out.writelines(f"{name}\n" for name in names)


if __name__ == "__main__":
    run_main(main, "run_model.py")
