"""flowonnx: the OneFlow ONNX tutorial's whole tool chain in one C++ library, for Python.

Change the import lines of the tutorial and it runs::

    import flowonnx as flow
    from flowonnx import nn
    from flowonnx.vision.models import resnet34
    from flowonnx.onnx import convert_to_onnx_and_check
    from flowonnx import InferenceSession

``flowonnx.load``/``save`` read and write OneFlow checkpoint folders; ``InferenceSession`` is ONNX
Runtime's API; ``flowonnx.simplify`` is onnx-simplifier's.
"""

from . import _flowonnx
from ._errors import (
    CheckFailed,
    Error,
    InternalError,
    InvalidArgument,
    InvalidGraph,
    IoError,
    NoSuchFile,
    NotImplemented,
)
from ._flowonnx import (
    NodeArg,
    Tensor,
    as_tensor,
    from_dlpack,
    get_available_providers,
    load,
    manual_seed,
    randn,
    save,
)
from ._session import (
    ExecutionMode,
    GraphOptimizationLevel,
    InferenceSession,
    RunOptions,
    SessionOptions,
)
from ._simplify import simplify
from . import nn, onnx, vision

__version__ = "0.1.0"


def tensor(data: object) -> Tensor:
    """A tensor holding a copy of ``data`` (anything numpy.asarray accepts)."""
    return Tensor(data)


def get_device() -> str:
    """'GPU' when this build has the CUDA provider, else 'CPU' (onnxruntime.get_device)."""
    return "GPU" if "CUDAExecutionProvider" in get_available_providers() else "CPU"


__all__ = [
    "CheckFailed", "Error", "ExecutionMode", "GraphOptimizationLevel", "InferenceSession",
    "InternalError", "InvalidArgument", "InvalidGraph", "IoError", "NoSuchFile", "NodeArg",
    "NotImplemented", "RunOptions", "SessionOptions", "Tensor", "as_tensor", "from_dlpack",
    "get_available_providers", "get_device", "load", "manual_seed", "nn", "onnx", "randn", "save",
    "simplify", "tensor", "vision",
]
