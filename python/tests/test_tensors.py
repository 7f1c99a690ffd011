"""(3) Tensors across the boundary: every dtype both ways, non-contiguous inputs copied and
correct, contiguous inputs and outputs shared without a copy (buffer protocol,
__array_interface__, DLPack)."""

import numpy as np
import pytest

import flowonnx
from models import binary_model, unary_model

pytest.importorskip("onnx")

DTYPES = [np.float32, np.float64, np.float16, np.int8, np.int16, np.int32, np.int64, np.uint8,
          np.bool_]


def sample(dtype, shape, seed=0):
    rng = np.random.default_rng(seed)
    if dtype == np.bool_:
        return rng.integers(0, 2, shape).astype(np.bool_)
    if np.issubdtype(dtype, np.integer):
        low = -100 if np.issubdtype(dtype, np.signedinteger) else 0
        return rng.integers(low, 100, shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_dtype_round_trip_through_a_session(dtype):
    session = flowonnx.InferenceSession(unary_model("Identity", dtype, ["N", 5]))
    assert session.get_inputs()[0].type == session.get_outputs()[0].type
    x = sample(dtype, (4, 5))
    (y,) = session.run(None, {"x": x})
    assert y.dtype == x.dtype and y.shape == x.shape
    np.testing.assert_array_equal(y, x)
    assert not np.shares_memory(y, x)  # run() never returns the caller's own memory


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_dtype_round_trip_through_tensors(dtype):
    x = sample(dtype, (3, 4))
    t = flowonnx.as_tensor(x)
    assert t.shape == (3, 4) and t.dtype == x.dtype
    for view in (t.numpy(), np.asarray(t), np.from_dlpack(t)):
        assert view.dtype == x.dtype
        np.testing.assert_array_equal(view, x)
        assert np.shares_memory(view, x)
    copy = flowonnx.tensor(x)
    assert not np.shares_memory(copy.numpy(), x)
    np.testing.assert_array_equal(copy.numpy(), x)


def test_unsupported_dtypes_raise_type_error():
    for dtype in (np.uint32, np.uint64, np.complex64, np.object_):
        with pytest.raises(TypeError, match="not supported|cannot"):
            flowonnx.as_tensor(np.zeros(3, dtype))
    session = flowonnx.InferenceSession(unary_model("Identity", np.float32, [3]))
    with pytest.raises(TypeError, match="'x'|x:"):
        session.run(None, {"x": np.zeros(3, np.uint32)})


NON_CONTIGUOUS = {
    "strided": lambda a: a[:, ::2],
    "transposed": lambda a: a.T,
    "fortran": lambda a: np.asfortranarray(a),
    "negative stride": lambda a: a[::-1],
    "broadcast": lambda a: np.broadcast_to(a[:1], a.shape),
}


@pytest.mark.parametrize("case", sorted(NON_CONTIGUOUS))
def test_non_contiguous_inputs_are_copied_and_correct(case):
    base = sample(np.float32, (6, 6), seed=1)
    x = NON_CONTIGUOUS[case](base)
    y = np.ascontiguousarray(sample(np.float32, x.shape, seed=2))
    assert not flowonnx._flowonnx._borrows_memory(x) or x.flags.c_contiguous
    session = flowonnx.InferenceSession(binary_model("Add", np.float32, list(x.shape)))
    (z,) = session.run(None, {"x": x, "y": y})
    np.testing.assert_array_equal(z, x + y)
    np.testing.assert_array_equal(base, sample(np.float32, (6, 6), seed=1))  # input untouched


def test_misaligned_input_is_copied_and_correct():
    raw = np.zeros(4 * 10 + 1, np.uint8)
    x = raw[1:].view(np.float32)  # 1-byte offset: not aligned to float32
    x[:] = np.arange(10, dtype=np.float32)
    assert not flowonnx._flowonnx._borrows_memory(x)
    session = flowonnx.InferenceSession(unary_model("Neg", np.float32, [10]))
    np.testing.assert_array_equal(session.run(None, {"x": x})[0], -np.arange(10, dtype=np.float32))


def test_contiguous_feed_is_not_copied():
    x = sample(np.float32, (256, 256))
    assert flowonnx._flowonnx._borrows_memory(x)
    t = flowonnx.as_tensor(x)
    assert t.__array_interface__["data"][0] == x.__array_interface__["data"][0]
    # The borrowed tensor keeps the array alive and sees its memory.
    del x
    kept = t.numpy()
    assert kept.shape == (256, 256)
    # Read-only arrays are borrowed as well (the runtime never writes to feeds).
    ro = sample(np.float32, (8,))
    ro.setflags(write=False)
    assert flowonnx._flowonnx._borrows_memory(ro)
    session = flowonnx.InferenceSession(unary_model("Neg", np.float32, [8]))
    np.testing.assert_array_equal(session.run(None, {"x": ro})[0], -ro)


def test_outputs_are_exported_without_a_copy():
    session = flowonnx.InferenceSession(unary_model("Neg", np.float32, ["N", 3]))
    (y,) = session.run(None, {"x": np.ones((2, 3), np.float32)})
    # The numpy array is a view on the runtime's buffer, owned through its base object.
    assert y.base is not None and y.flags.writeable
    y[0, 0] = 7  # the caller owns it: writing is fine and changes nothing else
    (again,) = session.run(None, {"x": np.ones((2, 3), np.float32)})
    np.testing.assert_array_equal(again, -np.ones((2, 3), np.float32))


def test_dlpack_and_lists_as_inputs():
    session = flowonnx.InferenceSession(unary_model("Neg", np.float32, [3]))

    class DLPackOnly:  # a producer with __dlpack__ but no buffer protocol (torch, jax, ...)
        def __init__(self, array):
            self.array = array

        def __dlpack__(self, **kwargs):
            return self.array.__dlpack__(**kwargs)

        def __dlpack_device__(self):
            return self.array.__dlpack_device__()

    x = np.array([1, 2, 3], np.float32)
    np.testing.assert_array_equal(session.run(None, {"x": DLPackOnly(x)})[0], -x)
    np.testing.assert_array_equal(session.run(None, {"x": flowonnx.as_tensor(x)})[0], -x)
    np.testing.assert_array_equal(flowonnx.from_dlpack(DLPackOnly(x)).numpy(), x)
