"""flowonnx.onnx: export a compiled :class:`flowonnx.nn.Graph` to ONNX, as
``oneflow_onnx.oneflow2onnx.util`` does, with the same function and parameter names.

Unlike oneflow-onnx, every emitted node is validated against the target opset, the check also
runs for dynamic-batch exports (at the compile batch and another batch) and compares every output.
"""

from __future__ import annotations

import sys
from typing import Optional, Tuple

from . import _flowonnx
from ._errors import CheckFailed
from ._flowonnx import CheckReport
from .nn import Graph

__all__ = ["export_onnx_model", "convert_to_onnx_and_check", "CheckReport", "PREFERRED_OPSET"]

PREFERRED_OPSET = 13  # opset=None exports this (oneflow-onnx's 10 lacks Range and others)


def _compiled(graph: Graph) -> "_flowonnx._Graph":
    if not isinstance(graph, Graph):
        raise TypeError(f"expected a flowonnx.nn.Graph, got {type(graph).__name__}")
    if not graph.is_compiled:
        raise ValueError(f"{graph.name}: compile the graph first (graph._compile(sample_input))")
    return graph._graph


def export_onnx_model(
    graph: Graph,
    external_data: bool = False,
    opset: Optional[int] = None,
    flow_weight_dir: Optional[str] = None,
    onnx_model_path: str = "/tmp",
    dynamic_batch_size: bool = False,
    *,
    simplify: bool = True,
) -> str:
    """Converts a compiled graph to ONNX, simplifies it (simplify=False keeps the plain
    conversion) and writes it atomically to ``onnx_model_path`` (a folder, then
    ``<folder>/model.onnx``, or a path ending in .onnx). Returns the written file's path.
    ``flow_weight_dir`` takes the weights from a OneFlow checkpoint folder instead of the
    modules; ``external_data`` stores initializers of 1 KiB and more in ``model.onnx.data``."""
    return _flowonnx.export_onnx_model(
        _compiled(graph), external_data, opset, flow_weight_dir, str(onnx_model_path),
        dynamic_batch_size, simplify,
    )


def convert_to_onnx_and_check(
    graph: Graph,
    print_outlier: bool = True,
    explicit_init: bool = False,
    external_data: bool = False,
    ort_optimize: bool = True,
    opset: Optional[int] = None,
    flow_weight_dir: Optional[str] = None,
    onnx_model_path: str = "/tmp",
    dynamic_batch_size: bool = False,
    device: str = "cpu",
    input_tensor_range: Optional[Tuple[float, float]] = None,
    *,
    rtol: float = 1e-4,
    atol: float = 1e-5,
) -> CheckReport:
    """export_onnx_model, then the same seeded random inputs through the compiled graph and the
    exported model (in flowonnx's InferenceSession on ``device``), every output compared with
    numpy.allclose's rule. Prints the report (and, with print_outlier, the worst elements outside
    tolerance) and raises :class:`flowonnx.CheckFailed` when an output disagrees.
    ``explicit_init`` and ``ort_optimize`` are accepted for compatibility with oneflow-onnx."""
    providers = ["CPUExecutionProvider"]
    if device.startswith("cuda") or device == "gpu":
        providers = ["CUDAExecutionProvider", "CPUExecutionProvider"]
    elif device != "cpu":
        raise ValueError(f"device must be 'cpu' or 'cuda', got {device!r}")
    report = _flowonnx.convert_to_onnx_and_check(
        _compiled(graph), external_data, opset, flow_weight_dir, str(onnx_model_path),
        dynamic_batch_size, print_outlier, rtol, atol, providers,
        tuple(input_tensor_range) if input_tensor_range is not None else None,
    )
    sys.stdout.write(report.text)
    sys.stdout.flush()
    if not report.passed:
        raise CheckFailed(report.verdict)
    return report
