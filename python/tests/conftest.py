"""Shared fixtures of the Python package's tests: the repository's data files, the `flowonnx`
command, and ONNX models exported from the zoo once per test session."""

import os
import pathlib
import shutil
import sys

import pytest

import flowonnx
from flowonnx import nn

REPO = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def data_dir() -> pathlib.Path:
    return REPO / "data"


@pytest.fixture(scope="session")
def cli() -> str:
    """The `flowonnx` command that `pip install .` put beside this Python (or FLOWONNX_CLI)."""
    search = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])
    path = os.environ.get("FLOWONNX_CLI") or shutil.which("flowonnx", path=search)
    assert path, "the flowonnx command is not installed beside this Python (pip install .)"
    return path


class ZooGraph(nn.Graph):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def build(self, x):
        return self.model(x)


def export_zoo_model(name: str, folder: pathlib.Path, batch: int = 1) -> pathlib.Path:
    """A zoo model with seeded trained-like weights, exported with a dynamic batch."""
    model = flowonnx.vision.models.create_seeded_model(name, 0).eval()
    graph = ZooGraph(model)
    shape = list(flowonnx.vision.models.model_info(name)["input_shape"])
    shape[0] = batch
    graph._compile(flowonnx.randn(*shape))
    return pathlib.Path(
        flowonnx.onnx.export_onnx_model(
            graph, onnx_model_path=str(folder / f"{name}.onnx"), dynamic_batch_size=True
        )
    )


ZOO_MODELS = ["resnet18", "mobilenet_v2", "squeezenet1_1"]


@pytest.fixture(scope="session")
def zoo_models(tmp_path_factory):
    folder = tmp_path_factory.mktemp("zoo")
    return {name: export_zoo_model(name, folder) for name in ZOO_MODELS}
