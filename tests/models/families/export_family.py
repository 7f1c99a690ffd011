#!/usr/bin/python3
"""Exports one real model family for tests/models/family_test.cc.

  /usr/bin/python3 tests/models/families/export_family.py NAME OUT.onnx

Runs under Debian's python3-torch / python3-torchvision (scripts/setup.sh installs them), not the
project's .venv. NAME is a module in this folder defining build() -> (module, example inputs) and
optionally OPSET (default 17), DYNAMIC_BATCH (default True: axis 0 of every input and output is
exported as "batch") and BATCHES (default (1, 2)). Writes OUT.onnx and OUT.onnx.batches (the batch
sizes to test, one line) through temporary files renamed into place, so an interrupted export
leaves nothing half-written. Nothing is downloaded: families use seeded random weights.
Exit 1 with "export_family: ..." on stderr when torch is missing or the export fails.
"""
import importlib
import os
import sys


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: export_family.py NAME OUT.onnx")
    name, out = sys.argv[1], sys.argv[2]
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    try:
        import torch
    except ImportError as error:
        sys.exit(f"export_family: cannot import torch ({error}); run scripts/setup.sh "
                 "(installs python3-torchvision)")
    family = importlib.import_module(name)
    torch.manual_seed(0)
    model, inputs = family.build()
    if not isinstance(inputs, tuple):
        inputs = (inputs,)
    opset = getattr(family, "OPSET", 17)
    batches = getattr(family, "BATCHES", (1, 2))
    dynamic = getattr(family, "DYNAMIC_BATCH", True)
    with torch.no_grad():
        outputs = model(*inputs)
    if not isinstance(outputs, (tuple, list)):
        outputs = (outputs,)
    input_names = [f"input_{i}" for i in range(len(inputs))]
    output_names = [f"output_{i}" for i in range(len(outputs))]
    axes = {n: {0: "batch"} for n in input_names + output_names} if dynamic else None
    partial = out + ".partial"
    try:
        with torch.no_grad():
            torch.onnx.export(model, inputs, partial, opset_version=opset,
                              input_names=input_names, output_names=output_names,
                              dynamic_axes=axes)
    except Exception as error:  # noqa: BLE001 - any exporter failure is reported the same way
        if os.path.exists(partial):
            os.remove(partial)
        sys.exit(f"export_family: exporting {name} failed: {error}")
    with open(out + ".batches.partial", "w") as f:
        f.write(" ".join(str(b) for b in batches) + "\n")
    os.replace(partial, out)
    os.replace(out + ".batches.partial", out + ".batches")


if __name__ == "__main__":
    main()
