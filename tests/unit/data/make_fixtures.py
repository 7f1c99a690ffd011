#!/usr/bin/env python3
"""Regenerates the OneFlow checkpoint fixtures under tests/unit/data/checkpoints/ (stdlib only).

OneFlow is not needed: a stand-in class `oneflow._oneflow_internal.Tensor` is injected into
sys.modules and pickles itself the way OneFlow's Tensor does inside
flow.save(obj, dir, save_as_external_data=True): pickle's default object reduction (GLOBAL class,
NEWOBJ, BUILD) with the state returned by Tensor.__getstate__, {"path": "tensor_<N>"}, after the
tensor was written to <dir>/tensor_<N>/{out,meta} (check_point_v2.py: _save_tensor_to_disk).
State dicts are collections.OrderedDict objects with a `_metadata` attribute, as
Module.state_dict() returns them, and flow.save wraps everything in
{"protocol_version": 1, "oneflow": None, "data": obj}.

The tests never run this script; run it by hand and commit its output:
    python3 tests/unit/data/make_fixtures.py
"""
import collections
import os
import pickle
import shutil
import struct
import sys
import types

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "checkpoints")

# (OneFlow DataType name, struct format) by our dtype name.
DTYPES = {
    "float32": ("kFloat", "f"),
    "float64": ("kDouble", "d"),
    "float16": ("kFloat16", "H"),  # raw binary16 bits
    "int8": ("kInt8", "b"),
    "int64": ("kInt64", "q"),
    "uint8": ("kUInt8", "B"),
    "bool": ("kBool", "?"),
}


def meta_text(shape, dtype):
    """What python protobuf's text_format.MessageToString writes for VariableMetaInfo."""
    lines = ["shape {"] + ["  dim: %d" % d for d in shape] + ["}"]
    return "\n".join(lines) + "\ndata_type: %s\n" % DTYPES[dtype][0]


def write_tensor_dir(folder, shape, dtype, values):
    os.makedirs(folder)
    with open(os.path.join(folder, "out"), "wb") as f:
        f.write(struct.pack("<%d%s" % (len(values), DTYPES[dtype][1]), *values))
    with open(os.path.join(folder, "meta"), "w") as f:
        f.write(meta_text(shape, dtype))


class _SaveContext:
    folder = None
    counter = 0


class Tensor:
    """Stand-in for oneflow._oneflow_internal.Tensor during flow.save."""

    def __init__(self, shape, dtype, values):
        self.shape, self.dtype, self.values = shape, dtype, values

    def __getstate__(self):
        rel = "tensor_%d" % _SaveContext.counter  # id_util.UniqueStr("tensor_")
        _SaveContext.counter += 1
        write_tensor_dir(os.path.join(_SaveContext.folder, rel), self.shape, self.dtype, self.values)
        return {"path": rel}


internal = types.ModuleType("oneflow._oneflow_internal")
oneflow = types.ModuleType("oneflow")
oneflow._oneflow_internal = internal
internal.Tensor = Tensor
Tensor.__module__ = "oneflow._oneflow_internal"
sys.modules["oneflow"] = oneflow
sys.modules["oneflow._oneflow_internal"] = internal


def state_dict(items):
    result = collections.OrderedDict(items)
    result._metadata = collections.OrderedDict([("", {"version": 1})])
    return result


def flow_save(obj, folder, protocol):
    """flow.save(obj, folder, save_as_external_data=True) with a given pickle protocol."""
    os.makedirs(folder)
    _SaveContext.folder, _SaveContext.counter = folder, 0
    data = pickle.dumps({"protocol_version": 1, "oneflow": None, "data": obj}, protocol=protocol)
    with open(os.path.join(folder, "pickled_data"), "wb") as f:
        f.write(data)


def nested_checkpoint():
    # A training checkpoint: a model state dict plus non-tensor leaves the loader ignores.
    model = state_dict([
        ("conv.weight", Tensor([2, 1, 1, 3], "float32", [0.0, 0.5, 1.0, 1.5, 2.0, 2.5])),
        ("conv.bias", Tensor([2], "float32", [-1.0, 1.0])),
    ])
    return {"model": model, "epoch": 3, "name": "tiny", "lr": 0.1}


def flat_checkpoint():
    return state_dict([
        ("fc.weight", Tensor([2, 2], "float64", [1.0, 2.0, 3.0, 4.0])),
        ("fc.bias", Tensor([2], "float16", [0x3C00, 0xC000])),  # 1.0, -2.0
        ("bn.num_batches_tracked", Tensor([], "int64", [7])),
        ("mask", Tensor([3], "bool", [True, False, True])),
        ("codes", Tensor([2], "int8", [-3, 4])),
        ("pixels", Tensor([2], "uint8", [0, 255])),
    ])


def legacy_checkpoint(folder):
    """The legacy layout by hand: flat keys, one nested dict folder, hand-written meta styles."""
    os.makedirs(folder)
    open(os.path.join(folder, "snapshot_done"), "w").close()
    write_tensor_dir(os.path.join(folder, "fc.weight"), [2, 3], "float32", [1, 2, 3, 4, 5, 6])
    with open(os.path.join(folder, "fc.weight", "meta"), "w") as f:
        f.write("shape { dim: 2 dim: 3 } data_type: kFloat\n")  # one-line style
    write_tensor_dir(os.path.join(folder, "model", "conv1.weight"), [1, 2], "int64", [-5, 9])
    with open(os.path.join(folder, "model", "conv1.weight", "meta"), "w") as f:
        f.write("# numeric enum, comments, odd spacing\nshape{dim:1\n dim : 2}\n data_type:6\n")


def main():
    if os.path.exists(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    for protocol in (2, 4):
        flow_save(nested_checkpoint(), os.path.join(OUT, "pickle_nested_p%d" % protocol), protocol)
        flow_save(flat_checkpoint(), os.path.join(OUT, "pickle_flat_p%d" % protocol), protocol)
    legacy_checkpoint(os.path.join(OUT, "legacy_nested"))


if __name__ == "__main__":
    main()
