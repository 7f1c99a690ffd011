#!/usr/bin/env python3
"""Regenerates the seed corpus fuzz/corpus/<target>/ (stdlib only; run by hand, commit the output).

Seeds are real inputs: ONNX backend node-test models and TensorProto files from Debian's
libonnx-testdata, the OneFlow checkpoint fixtures of tests/unit/data/checkpoints (made by
tests/unit/data/make_fixtures.py), and .npy files of every dtype and header version written here
the way numpy writes them. Every file is small: the whole corpus stays well under 1 MB.

    python3 fuzz/make_seed_corpus.py [--testdata /usr/share/libonnx-testdata/data/node]
"""
import argparse
import collections
import os
import pickle
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CORPUS = os.path.join(HERE, "corpus")
FIXTURES = os.path.join(ROOT, "tests", "unit", "data", "checkpoints")
SEPARATOR = b"\n@@FILE@@\n"  # fuzz/fuzz_util.h kFileSeparator

# Node tests whose model.onnx seeds fuzz_model_load: one or two per op family, all tiny.
MODEL_TESTS = [
    "test_add", "test_add_bcast", "test_abs", "test_relu", "test_sigmoid", "test_tanh",
    "test_matmul_2d", "test_gemm_default_single_elem_vector_bias", "test_conv_with_strides_padding",
    "test_basic_conv_without_padding", "test_maxpool_2d_default", "test_averagepool_2d_pads",
    "test_globalaveragepool", "test_batchnorm_example", "test_softmax_axis_1",
    "test_reshape_reduced_dims", "test_transpose_default", "test_concat_2d_axis_0",
    "test_slice", "test_slice_negative_axes", "test_gather_0", "test_unsqueeze_axis_0",
    "test_squeeze", "test_flatten_axis1", "test_cast_FLOAT_to_DOUBLE", "test_clip",
    "test_reduce_mean_keepdims_example", "test_reduce_sum_keepdims_example", "test_pad",
    "test_constant", "test_constant_pad", "test_shape", "test_expand_dim_changed", "test_tile",
    "test_where_example", "test_equal", "test_split_equal_parts_1d", "test_resize_upsample_scales_nearest",
    "test_identity", "test_dropout_default", "test_leakyrelu", "test_hardsigmoid", "test_pow",
    "test_div", "test_sub", "test_mul", "test_sqrt", "test_exp", "test_log", "test_neg",
    "test_argmax_default_axis_example", "test_topk", "test_cumsum_1d", "test_range_float_type_positive_delta",
    "test_constantofshape_float_ones", "test_lrn_default", "test_convtranspose", "test_instancenorm_example",
    "test_prelu_example", "test_min_example", "test_max_example", "test_sum_example", "test_mean_example",
]
# Node tests whose input_0.pb seeds fuzz_tensor_proto: float, double, int8/16/32/64, uint8, bool,
# float16, 0-d and empty tensors.
TENSOR_TESTS = [
    "test_add", "test_cast_FLOAT_to_DOUBLE", "test_cast_FLOAT_to_FLOAT16", "test_cast_FLOAT16_to_FLOAT",
    "test_cast_DOUBLE_to_FLOAT", "test_and2d", "test_bitshift_right_uint8", "test_gather_0",
    "test_argmax_default_axis_example", "test_equal", "test_mod_mixed_sign_int8",
    "test_mod_mixed_sign_int16", "test_mod_mixed_sign_int32", "test_mod_mixed_sign_int64",
    "test_reduce_sum_empty_axes_input_noop_example", "test_size_example", "test_constantofshape_int_zeros",
    "test_slice_start_out_of_bounds", "test_where_example", "test_range_int32_type_negative_delta",
]


def reset(target):
    folder = os.path.join(CORPUS, target)
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    return folder


def put(folder, name, data):
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def read(path):
    with open(path, "rb") as f:
        return f.read()


# --- fuzz_model_load and fuzz_tensor_proto: libonnx-testdata.
def onnx_seeds(testdata):
    models = reset("fuzz_model_load")
    for test in MODEL_TESTS:
        path = os.path.join(testdata, test, "model.onnx")
        if os.path.exists(path) and os.path.getsize(path) <= 4096:
            put(models, test + ".onnx", read(path))
    tensors = reset("fuzz_tensor_proto")
    for test in TENSOR_TESTS:
        for name in ("input_0.pb", "input_1.pb"):
            path = os.path.join(testdata, test, "test_data_set_0", name)
            if os.path.exists(path) and os.path.getsize(path) <= 4096:
                put(tensors, test + "_" + name, read(path))
    # Hand-encoded TensorProtos for what the node tests lack: typed fields and external data
    # (fuzz_tensor_proto resolves it against a folder holding the 256-byte file w.bin).
    put(tensors, "typed_float_data.pb", tensor_proto([2, 2], 1, floats=[1, 2, 3, 4]))
    put(tensors, "typed_int64_data.pb", tensor_proto([3], 7, int64s=[1, -2, 3]))
    put(tensors, "typed_int32_fp16.pb", tensor_proto([2], 10, int32s=[0x3C00, 0xC000]))
    put(tensors, "typed_double_data.pb", tensor_proto([1], 11, doubles=[0.5]))
    put(tensors, "scalar_raw.pb", tensor_proto([], 1, raw=struct.pack("<f", 7.0)))
    put(tensors, "external_whole.pb", tensor_proto([4, 4], 1, external=[("location", "w.bin"), ("length", "64")]))
    put(tensors, "external_offset.pb",
        tensor_proto([8], 6, external=[("location", "w.bin"), ("offset", "128"), ("length", "32")]))
    put(tensors, "external_escape.pb", tensor_proto([1], 1, external=[("location", "../w.bin")]))


def varint(value):
    value &= (1 << 64) - 1
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def field(number, wire, payload):
    key = varint(number << 3 | wire)
    if wire == 2:
        return key + varint(len(payload)) + payload
    return key + payload


def tensor_proto(dims, data_type, raw=None, floats=(), int32s=(), int64s=(), doubles=(), external=()):
    """onnx.proto TensorProto: dims 1, data_type 2, float_data 4, int32_data 5, int64_data 7,
    name 8, raw_data 9, double_data 10, external_data 13, data_location 14."""
    out = b"".join(field(1, 0, varint(d)) for d in dims) + field(2, 0, varint(data_type))
    if floats:
        out += field(4, 2, struct.pack("<%df" % len(floats), *floats))
    if int32s:
        out += field(5, 2, b"".join(varint(v) for v in int32s))
    if int64s:
        out += field(7, 2, b"".join(varint(v) for v in int64s))
    out += field(8, 2, b"t")
    if raw is not None:
        out += field(9, 2, raw)
    if doubles:
        out += field(10, 2, struct.pack("<%dd" % len(doubles), *doubles))
    for key, value in external:
        out += field(13, 2, field(1, 2, key.encode()) + field(2, 2, value.encode()))
    if external:
        out += field(14, 0, varint(1))
    return out


# --- fuzz_npy: numpy's format, versions 1.0 / 2.0 / 3.0.
NPY_TYPES = {"<f4": "f", "<f8": "d", "<f2": "H", "|i1": "b", "<i2": "h", "<i4": "i", "<i8": "q",
             "|u1": "B", "|b1": "?"}


def npy(descr, shape, values, version=1, fortran=False):
    header = "{'descr': '%s', 'fortran_order': %s, 'shape': (%s), }" % (
        descr, "True" if fortran else "False", "".join("%d," % d for d in shape))
    length_size = 2 if version == 1 else 4
    header += " " * ((64 - (10 + length_size - 2 + len(header) + 1) % 64) % 64) + "\n"
    encoded = header.encode("latin1" if version < 3 else "utf8")
    size = struct.pack("<H" if version == 1 else "<I", len(encoded))
    data = struct.pack("<%d%s" % (len(values), NPY_TYPES[descr]), *values)
    return b"\x93NUMPY" + bytes([version, 0]) + size + encoded + data


def npy_seeds():
    folder = reset("fuzz_npy")
    for descr, code in NPY_TYPES.items():
        values = [i % 2 == 0 for i in range(6)] if code == "?" else list(range(6))
        put(folder, "v1_%s.npy" % descr[1:], npy(descr, [2, 3], values))
    put(folder, "v2_f4.npy", npy("<f4", [3], [1, 2, 3], version=2))
    put(folder, "v3_i8.npy", npy("<i8", [1, 2], [5, 6], version=3))
    put(folder, "scalar.npy", npy("<f8", [], [3.5]))
    put(folder, "empty.npy", npy("<f4", [0, 4], []))
    put(folder, "fortran.npy", npy("<f4", [2, 1], [1, 2], fortran=True))


# --- fuzz_checkpoint and fuzz_pickle: the checkpoint fixtures plus stdlib pickles.
def folder_files(folder):
    return [read(os.path.join(folder, "meta")), read(os.path.join(folder, "out"))]


def checkpoint_seeds():
    folder = reset("fuzz_checkpoint")
    legacy = os.path.join(FIXTURES, "legacy_nested")
    parts = [b"S"] + folder_files(os.path.join(legacy, "fc.weight")) + \
        folder_files(os.path.join(legacy, "model", "conv1.weight"))
    put(folder, "legacy_snapshot", SEPARATOR.join(parts))
    put(folder, "legacy_no_marker", SEPARATOR.join([b"L"] + parts[1:3]))
    meta = b"shape {\n  dim: 2\n}\ndata_type: %s\n"
    for name, out in ((b"kDouble", struct.pack("<2d", 1, 2)), (b"kInt64", struct.pack("<2q", 1, 2)),
                      (b"kFloat16", struct.pack("<2H", 0x3C00, 0)), (b"kBool", b"\x01\x00")):
        put(folder, "legacy_" + name.decode(), SEPARATOR.join([b"S", meta % name, out]))
    put(folder, "legacy_stride", SEPARATOR.join(
        [b"S", b"shape: { dim: [2, 2] } stride { dim: 2 dim: 1 } data_type: 2  # kFloat\n", b"\0" * 16]))
    pickles = reset("fuzz_pickle")
    for name in sorted(os.listdir(FIXTURES)):
        if not name.startswith("pickle_"):
            continue
        root = os.path.join(FIXTURES, name)
        data = read(os.path.join(root, "pickled_data"))
        put(pickles, name, data)
        parts = [b"P", data]
        index = 0
        while os.path.isdir(os.path.join(root, "tensor_%d" % index)) and len(parts) < 9:
            parts += folder_files(os.path.join(root, "tensor_%d" % index))
            index += 1
        put(folder, name, SEPARATOR.join(parts))
    # Plain pickles of every protocol, with the value kinds the reader builds.
    shared = [1, 2]
    value = {"protocol_version": 1, "data": collections.OrderedDict(
        [("w", {"path": "tensor_0"}), ("n", None), ("b", True), ("i", -7), ("big", 1 << 80),
         ("f", 2.5), ("s", "text"), ("y", b"\x00\x01"), ("t", (1, "a")), ("l", shared),
         ("again", shared), ("set", {1, 2}), ("frozen", frozenset([3]))])}
    for protocol in range(0, 6):
        put(pickles, "stdlib_p%d" % protocol, pickle.dumps(value, protocol=protocol))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--testdata", default="/usr/share/libonnx-testdata/data/node")
    args = parser.parse_args()
    onnx_seeds(args.testdata)
    npy_seeds()
    checkpoint_seeds()
    total = 0
    for target in sorted(os.listdir(CORPUS)):
        files = os.listdir(os.path.join(CORPUS, target))
        size = sum(os.path.getsize(os.path.join(CORPUS, target, f)) for f in files)
        total += size
        print("%-20s %3d files %7d bytes" % (target, len(files), size))
    print("total %d bytes" % total)


if __name__ == "__main__":
    main()
