"""The framework side of the package: checkpoints, modules, graphs, export, simplify, errors
and the shipped type stubs."""

import pathlib
import re

import numpy as np
import pytest

import flowonnx
from flowonnx import nn

PACKAGE = pathlib.Path(flowonnx.__file__).parent


class OneModuleGraph(nn.Graph):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def build(self, x):
        return self.model(x)


def test_checkpoint_round_trip_and_load_state_dict(tmp_path):
    model = flowonnx.vision.models.create_seeded_model("resnet18", 3)
    state = model.state_dict()
    assert "conv1.weight" in state and "layer1.0.bn1.running_mean" in state
    flowonnx.save(state, tmp_path / "ck")
    loaded = flowonnx.load(tmp_path / "ck")
    assert sorted(loaded) == sorted(state)
    for key in state:
        np.testing.assert_array_equal(np.asarray(loaded[key]), np.asarray(state[key]))
    fresh = flowonnx.vision.models.resnet18()
    assert fresh.training
    assert fresh.load_state_dict(loaded) is None
    assert fresh.eval() is fresh and not fresh.training
    model.eval()
    x = flowonnx.randn(2, 3, 64, 64)
    np.testing.assert_array_equal(np.asarray(fresh(x)), np.asarray(model(x)))
    assert fresh.train() is fresh and fresh.training
    # numpy state dicts load too; a wrong shape is an InvalidArgument naming the key.
    bad = {k: np.asarray(v) for k, v in loaded.items()}
    bad["fc.weight"] = np.zeros((3, 3), np.float32)
    with pytest.raises(flowonnx.InvalidArgument, match="fc.weight"):
        fresh.load_state_dict(bad)


def test_load_reads_safetensors_and_refuses_hostile_files(tmp_path):
    import json
    import struct

    weight = np.arange(6, dtype=np.float32).reshape(2, 3)
    header = json.dumps({"module.fc.weight": {"dtype": "F32", "shape": [2, 3],
                                              "data_offsets": [0, 24]}}).encode()
    (tmp_path / "w.safetensors").write_bytes(struct.pack("<Q", len(header)) + header +
                                             weight.tobytes())
    loaded = flowonnx.load(tmp_path / "w.safetensors")
    assert list(loaded) == ["fc.weight"]  # the DataParallel prefix is stripped
    np.testing.assert_array_equal(np.asarray(loaded["fc.weight"]), weight)
    # A torch zip whose pickle asks for os.system: refused, naming it, nothing run.
    import io
    import zipfile

    pickle = b"\x80\x02cos\nsystem\nX\x04\x00\x00\x00echo\x85R."
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("archive/data.pkl", pickle)
    (tmp_path / "evil.pth").write_bytes(buffer.getvalue())
    with pytest.raises(flowonnx.InvalidGraph, match="'os.system'"):
        flowonnx.load(tmp_path / "evil.pth")


def test_load_missing_checkpoint_raises_io_error(tmp_path):
    with pytest.raises(flowonnx.IoError, match="nowhere"):
        flowonnx.load(tmp_path / "nowhere")


def test_pretrained_weights_are_refused_with_a_reason():
    with pytest.raises(ValueError, match="load_state_dict"):
        flowonnx.vision.models.resnet34(pretrained=True)


def test_graph_compile_call_and_names():
    model = flowonnx.vision.models.create_seeded_model("squeezenet1_1", 0).eval()
    graph = OneModuleGraph(model)
    assert re.fullmatch(r"OneModuleGraph_\d+", graph.name) and not graph.is_compiled
    with pytest.raises(ValueError, match="compile"):
        flowonnx.onnx.export_onnx_model(graph)
    graph._compile(flowonnx.randn(1, 3, 224, 224))
    x = np.random.default_rng(0).standard_normal((2, 3, 224, 224)).astype(np.float32)
    np.testing.assert_allclose(np.asarray(graph(x)), np.asarray(model(x)), rtol=1e-4, atol=1e-4)
    assert "model.features.0.weight" in graph.state_dict()


def test_graph_needs_super_init_and_build():
    class NoInit(nn.Graph):
        def __init__(self, model):
            self.model = model

    with pytest.raises(RuntimeError, match="super"):
        NoInit(flowonnx.vision.models.squeezenet1_1())

    class NoBuild(nn.Graph):
        pass

    with pytest.raises(NotImplementedError, match="build"):
        NoBuild()._compile(flowonnx.randn(1, 3, 8, 8))


def test_export_and_check(tmp_path, capsys):
    model = flowonnx.vision.models.create_seeded_model("resnet18", 0).eval()
    graph = OneModuleGraph(model)
    graph._compile(flowonnx.randn(1, 3, 224, 224))
    report = flowonnx.onnx.convert_to_onnx_and_check(
        graph, onnx_model_path=str(tmp_path), print_outlier=True, dynamic_batch_size=True,
        opset=13)
    assert report.passed and report.dynamic_batch and len(set(report.batches)) == 2
    assert report.model_path == str(tmp_path / "model.onnx")
    assert "check passed" in capsys.readouterr().out
    session = flowonnx.InferenceSession(report.model_path)
    assert session.get_inputs()[0].shape == ["N", 3, 224, 224]
    path = flowonnx.onnx.export_onnx_model(graph, external_data=True, opset=11,
                                           onnx_model_path=str(tmp_path / "ext" / "m.onnx"))
    assert pathlib.Path(path + ".data").exists()


def test_simplify_like_onnxsim(tmp_path):
    onnx = pytest.importorskip("onnx")
    from models import unary_model

    helper = onnx.helper
    # y = Relu(x) + (Shape(x)-derived constant folded away) ... a model with foldable parts.
    graph = helper.make_graph(
        [helper.make_node("Identity", ["x"], ["a"]),
         helper.make_node("Relu", ["a"], ["y"])], "g",
        [helper.make_tensor_value_info("x", 1, [2, 3])],
        [helper.make_tensor_value_info("y", 1, [2, 3])])
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    simplified, check_ok = flowonnx.simplify(proto, check_n=2)
    assert check_ok and isinstance(simplified, onnx.ModelProto)
    assert [n.op_type for n in simplified.graph.node] == ["Relu"]
    path = tmp_path / "m.onnx"
    path.write_bytes(unary_model("Neg", np.float32, [4]))
    simplified, check_ok = flowonnx.simplify(str(path))
    assert check_ok and [n.op_type for n in simplified.graph.node] == ["Neg"]
    with pytest.raises(FileNotFoundError):
        flowonnx.simplify(str(tmp_path / "missing.onnx"))


def test_error_types():
    assert issubclass(flowonnx.InvalidArgument, ValueError)
    assert issubclass(flowonnx.NoSuchFile, FileNotFoundError)
    assert issubclass(flowonnx.CheckFailed, AssertionError)
    for cls in (flowonnx.InvalidArgument, flowonnx.InvalidGraph, flowonnx.IoError,
                flowonnx.NotImplemented, flowonnx.InternalError):
        assert issubclass(cls, flowonnx.Error)


def test_bad_model_bytes_raise_invalid_graph():
    with pytest.raises(flowonnx.Error):
        flowonnx.InferenceSession(b"not a model")


def test_type_stubs_ship_and_list_the_zoo():
    assert (PACKAGE / "py.typed").exists()
    stub = (PACKAGE / "_flowonnx.pyi").read_text()
    for name in ("class Tensor", "class NodeArg", "def load(", "def randn("):
        assert name in stub
    models_stub = (PACKAGE / "vision" / "models.pyi").read_text()
    for name in flowonnx.vision.models.model_names():
        assert f"def {name}(" in models_stub
        assert callable(getattr(flowonnx.vision.models, name))
