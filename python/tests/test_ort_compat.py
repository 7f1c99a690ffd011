"""(2) flowonnx as a drop-in for onnxruntime's Python API. Every test takes the runtime module as
a parameter (onnxruntime or flowonnx) and runs the same code on both, on models exported from the
zoo and on a sample of the ONNX backend node tests: outputs agree, input/output metadata are
equal, and both raise on the same bad feeds."""

import pathlib

import numpy as np
import pytest

import flowonnx

ort = pytest.importorskip("onnxruntime")
onnx = pytest.importorskip("onnx")
from onnx import numpy_helper  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parents[2]
NODE_DIR = pathlib.Path("/usr/share/libonnx-testdata/data/node")
RUNTIMES = {"onnxruntime": ort, "flowonnx": flowonnx}


@pytest.fixture(params=sorted(RUNTIMES))
def rt(request):
    return RUNTIMES[request.param]


def node_test_sample(every=12):
    """Every `every`-th test of the node-test allowlist (tests/onnx_node/cpu.txt), in order."""
    listed = REPO / "tests" / "onnx_node" / "cpu.txt"
    if not NODE_DIR.is_dir() or not listed.exists():
        return []
    names = [line.split()[0] for line in listed.read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    return names[::every]


def load_node_test(name):
    folder = NODE_DIR / name
    model = onnx.load(str(folder / "model.onnx"))
    data = folder / "test_data_set_0"
    inputs = [numpy_helper.to_array(onnx.load_tensor(str(p)))
              for p in sorted(data.glob("input_*.pb"), key=lambda p: int(p.stem.split("_")[1]))]
    expected = [numpy_helper.to_array(onnx.load_tensor(str(p)))
                for p in sorted(data.glob("output_*.pb"), key=lambda p: int(p.stem.split("_")[1]))]
    feed = {i.name: x for i, x in zip([i for i in model.graph.input
                                       if i.name not in {t.name for t in model.graph.initializer}],
                                      inputs)}
    return folder / "model.onnx", feed, expected


def metadata(session):
    return ([(a.name, list(a.shape), a.type) for a in session.get_inputs()],
            [(a.name, list(a.shape), a.type) for a in session.get_outputs()])


def assert_close(got, want, rtol=1e-4):
    scale = max(float(np.max(np.abs(want))) if want.size else 0.0, 1.0)
    np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * scale)


# --- the API, identical on both modules ---------------------------------------------------------

def test_session_api(rt, zoo_models):
    options = rt.SessionOptions()
    options.intra_op_num_threads = 1
    options.graph_optimization_level = rt.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = rt.InferenceSession(str(zoo_models["resnet18"]), sess_options=options,
                                  providers=["CPUExecutionProvider"])
    assert session.get_providers() == ["CPUExecutionProvider"]
    assert "CPUExecutionProvider" in rt.get_available_providers()
    (inp,) = session.get_inputs()
    (out,) = session.get_outputs()
    assert inp.name.startswith("_ZooGraph_") and inp.name.endswith("-input_0/out")
    assert inp.shape == ["N", 3, 224, 224] and inp.type == "tensor(float)"
    assert out.shape == ["N", 1000] and out.type == "tensor(float)"
    x = np.random.default_rng(0).standard_normal((2, 3, 224, 224), dtype=np.float32)
    results = session.run(None, {inp.name: x})
    assert isinstance(results, list) and len(results) == 1
    assert isinstance(results[0], np.ndarray) and results[0].shape == (2, 1000)
    assert results[0].dtype == np.float32
    named = session.run([out.name], {inp.name: x}, rt.RunOptions())
    np.testing.assert_array_equal(named[0], results[0])


def test_session_from_bytes(rt, zoo_models):
    session = rt.InferenceSession(zoo_models["squeezenet1_1"].read_bytes(),
                                  providers=["CPUExecutionProvider"])
    assert session.get_inputs()[0].shape[1:] == [3, 224, 224]


def test_missing_file_raises(rt, tmp_path):
    with pytest.raises(Exception, match="missing.onnx") as error:
        rt.InferenceSession(str(tmp_path / "missing.onnx"), providers=["CPUExecutionProvider"])
    if rt is flowonnx:
        assert isinstance(error.value, (flowonnx.NoSuchFile, FileNotFoundError))


BAD_FEEDS = {
    "unknown input name": lambda name, x: {name: x, "no_such_input": x},
    "missing input": lambda name, x: {},
    "float64 for float": lambda name, x: {name: x.astype(np.float64)},
    "int64 for float": lambda name, x: {name: x.astype(np.int64)},
    "rank 3 for rank 4": lambda name, x: {name: x[0]},
    "3 channels expected, 4 fed": lambda name, x: {name: np.concatenate([x, x[:, :1]], axis=1)},
    "224 rows expected, 200 fed": lambda name, x: {name: np.ascontiguousarray(x[:, :, :200])},
}


@pytest.mark.parametrize("case", sorted(BAD_FEEDS))
def test_bad_feeds_raise(rt, zoo_models, case):
    session = rt.InferenceSession(str(zoo_models["squeezenet1_1"]),
                                  providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    x = np.zeros((1, 3, 224, 224), np.float32)
    with pytest.raises(Exception) as error:
        session.run(None, BAD_FEEDS[case](name, x))
    if rt is flowonnx:
        # The type tells what is wrong; the message names the input (or the unknown name).
        assert isinstance(error.value, (flowonnx.InvalidArgument, TypeError)), repr(error.value)
        assert ("no_such_input" if case == "unknown input name" else name) in str(error.value)


def test_unknown_output_name_raises(rt, zoo_models):
    session = rt.InferenceSession(str(zoo_models["squeezenet1_1"]),
                                  providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    with pytest.raises(Exception, match="no_such_output"):
        session.run(["no_such_output"], {name: np.zeros((1, 3, 224, 224), np.float32)})


# --- the two runtimes side by side --------------------------------------------------------------

@pytest.mark.parametrize("model", ["resnet18", "mobilenet_v2", "squeezenet1_1"])
def test_zoo_models_agree(zoo_models, model):
    sessions = {n: m.InferenceSession(str(zoo_models[model]), providers=["CPUExecutionProvider"])
                for n, m in RUNTIMES.items()}
    assert metadata(sessions["flowonnx"]) == metadata(sessions["onnxruntime"])
    name = sessions["onnxruntime"].get_inputs()[0].name
    for batch in (1, 3):
        x = np.random.default_rng(batch).uniform(-1, 1, (batch, 3, 224, 224)).astype(np.float32)
        (want,) = sessions["onnxruntime"].run(None, {name: x})
        (got,) = sessions["flowonnx"].run(None, {name: x})
        assert_close(got, want)


NODE_TESTS = node_test_sample()


@pytest.mark.skipif(not NODE_TESTS, reason="libonnx-testdata is not installed")
@pytest.mark.parametrize("name", NODE_TESTS)
def test_node_tests_agree(name):
    path, feed, expected = load_node_test(name)
    try:
        reference = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    except Exception as error:  # a few old-opset tests ONNX Runtime itself refuses
        pytest.skip(f"onnxruntime cannot load {name}: {error}")
    ours = flowonnx.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    assert metadata(ours) == metadata(reference)
    want = reference.run(None, feed)
    got = ours.run(None, feed)
    assert len(got) == len(want) == len(expected)
    for g, w, e in zip(got, want, expected):
        assert g.dtype == w.dtype and g.shape == w.shape
        if g.dtype.kind in "fc":
            assert_close(g, e, rtol=1e-3)
            assert_close(g, w, rtol=1e-3)
        else:
            np.testing.assert_array_equal(g, e)
