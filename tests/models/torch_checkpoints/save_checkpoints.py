"""Writes PyTorch checkpoints of torchvision models with seeded weights, for the round-trip test.

Run with Debian's python3 (python3-torch 1.13, python3-torchvision 0.14):
    /usr/bin/python3 save_checkpoints.py OUT_DIR
For each model (resnet18, resnet50, mobilenet_v2) OUT_DIR gets
    <model>.zip.pth        torch.save(state_dict) (zip format, the default)
    <model>.legacy.pt      torch.save(..., _use_new_zipfile_serialization=False)
    <model>.safetensors    written here by hand (struct + json): no safetensors package needed
    <model>.input.npy      a seeded [2,3,224,224] input
    <model>.output.npy     model.eval()(input), the oracle
and resnet18 also <model>.wrapped.bin: {"epoch": 3, "state_dict": {"module." + key: ...}} as
nn.DataParallel training scripts save it (zip format, no telling extension).
Batch-norm statistics are randomised too (seeded), so the check covers running_mean/var, and
they are kept trained-like so activations stay in range through the deep nets.
Files are written under temporary names and renamed, so an interrupted run leaves nothing
half-written; DONE is written last.
"""
import json
import os
import struct
import sys

import numpy as np
import torch
import torchvision

MODELS = ("resnet18", "resnet50", "mobilenet_v2")
SAFETENSORS_DTYPES = {torch.float32: "F32", torch.int64: "I64", torch.float16: "F16"}


def seeded_model(name):
    torch.manual_seed(0)
    model = getattr(torchvision.models, name)()
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                n = module.num_features
                module.running_mean.uniform_(-0.1, 0.1)
                module.running_var.uniform_(0.5, 1.5)
                module.weight.uniform_(0.2, 0.6)
                module.bias.uniform_(-0.1, 0.1)
                module.num_batches_tracked.fill_(7)
    return model.eval()


def write_safetensors(path, state_dict):
    header, chunks, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for key, tensor in state_dict.items():
        data = tensor.contiguous().numpy().tobytes()
        header[key] = {"dtype": SAFETENSORS_DTYPES[tensor.dtype], "shape": list(tensor.shape),
                       "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)  # the reference writer pads the header to 8 bytes
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for chunk in chunks:
            f.write(chunk)


def replace(write, path):
    temporary = path + ".tmp"
    write(temporary)
    os.replace(temporary, path)


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    for name in MODELS:
        model = seeded_model(name)
        state = model.state_dict()
        base = os.path.join(out_dir, name)
        replace(lambda p: torch.save(state, p), base + ".zip.pth")
        replace(lambda p: torch.save(state, p, _use_new_zipfile_serialization=False),
                base + ".legacy.pt")
        replace(lambda p: write_safetensors(p, state), base + ".safetensors")
        if name == "resnet18":
            wrapped = {"epoch": 3, "state_dict": {"module." + k: v for k, v in state.items()}}
            replace(lambda p: torch.save(wrapped, p), base + ".wrapped.bin")
        torch.manual_seed(1)
        x = torch.randn(2, 3, 224, 224)
        with torch.no_grad():
            y = model(x)
        replace(lambda p: np.save(open(p, "wb"), x.numpy()), base + ".input.npy")
        replace(lambda p: np.save(open(p, "wb"), y.numpy()), base + ".output.npy")
    with open(os.path.join(out_dir, "DONE"), "w") as f:
        f.write("ok\n")


if __name__ == "__main__":
    main(sys.argv[1])
