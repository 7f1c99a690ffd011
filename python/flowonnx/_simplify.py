"""flowonnx.simplify: onnx-simplifier's ``simplify`` on flowonnx's passes."""

from __future__ import annotations

import os
from typing import Any, Dict, Optional, Sequence, Tuple

from . import _flowonnx
from ._errors import NoSuchFile


def simplify(
    model: Any,
    check_n: int = 0,
    perform_optimization: bool = True,
    skip_fuse_bn: bool = False,
    overwrite_input_shapes: Optional[Dict[str, Sequence[int]]] = None,
    skip_constant_folding: bool = False,
    tensor_size_threshold: int = 0,
    **kwargs: Any,
) -> Tuple[Any, bool]:
    """Simplifies an ONNX model (a path, an ``onnx.ModelProto`` or serialised bytes) as
    ``onnxsim.simplify`` does: shape inference, constant and shape folding, dead-node and no-op
    elimination and the fusions (``perform_optimization=False`` or ``skip_fuse_bn`` keep batch
    norms apart). ``check_n`` > 0 runs the original and the simplified model on that many random
    inputs and compares every output. Returns ``(model, check_ok)``: an ``onnx.ModelProto`` when
    the ``onnx`` package is installed (bytes otherwise) and whether the check passed (True when
    none ran). The returned model holds every tensor inline."""
    if hasattr(model, "SerializeToString"):
        source: Any = model.SerializeToString()
    elif isinstance(model, (bytes, bytearray)):
        source = bytes(model)
    else:
        source = os.fspath(model)
        if not os.path.exists(source):
            raise NoSuchFile(f"{source}: no such file")
    data, check_ok, _message = _flowonnx.simplify(
        source,
        int(check_n),
        bool(skip_fuse_bn or not perform_optimization),
        bool(skip_constant_folding),
        {name: [int(d) for d in dims] for name, dims in (overwrite_input_shapes or {}).items()},
        int(tensor_size_threshold),
    )
    try:
        import onnx  # the real package (absolute import)
    except ImportError:
        return data, check_ok
    return onnx.load_from_string(data), check_ok
