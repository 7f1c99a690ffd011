"""ONNX Runtime's Python session API, backed by flowonnx's runtime.

``flowonnx.InferenceSession`` takes the same arguments as ``onnxruntime.InferenceSession`` and
its ``run`` (implemented in C++) returns the same list of numpy arrays, so replacing the import
line is enough to switch.
"""

from __future__ import annotations

import enum
import os
from typing import Any, Dict, List, Optional, Sequence, Union

from . import _flowonnx
from ._errors import NoSuchFile

PathOrBytes = Union[str, bytes, "os.PathLike[str]"]


class GraphOptimizationLevel(enum.IntEnum):
    """As onnxruntime.GraphOptimizationLevel. flowonnx has two levels: everything off
    (ORT_DISABLE_ALL) or its session-time graph optimisations on (any other level)."""

    ORT_DISABLE_ALL = 0
    ORT_ENABLE_BASIC = 1
    ORT_ENABLE_EXTENDED = 2
    ORT_ENABLE_ALL = 99


class ExecutionMode(enum.IntEnum):
    """As onnxruntime.ExecutionMode; flowonnx runs nodes in order (parallel within each op)."""

    ORT_SEQUENTIAL = 0
    ORT_PARALLEL = 1


class SessionOptions:
    """As onnxruntime.SessionOptions. Used: ``intra_op_num_threads`` (threads of each run, on
    whichever thread calls run(); 0 = the calling thread's OpenMP setting, all cores by default),
    ``graph_optimization_level`` and ``log_severity_level`` (0 = verbose). The others are
    accepted for compatibility."""

    def __init__(self) -> None:
        self.intra_op_num_threads: int = 0
        self.inter_op_num_threads: int = 0
        self.graph_optimization_level: GraphOptimizationLevel = (
            GraphOptimizationLevel.ORT_ENABLE_ALL
        )
        self.execution_mode: ExecutionMode = ExecutionMode.ORT_SEQUENTIAL
        self.log_severity_level: int = 2
        self.log_verbosity_level: int = 0
        self.logid: str = ""
        self.enable_profiling: bool = False
        self.enable_cpu_mem_arena: bool = True
        self.enable_mem_pattern: bool = True
        self.optimized_model_filepath: str = ""


class RunOptions:
    """As onnxruntime.RunOptions; accepted by run() for compatibility."""

    def __init__(self) -> None:
        self.log_severity_level: int = 2
        self.log_verbosity_level: int = 0
        self.logid: str = ""
        self.terminate: bool = False
        self.only_execute_path_to_fetches: bool = False


def _provider_names(providers: Optional[Sequence[Any]]) -> List[str]:
    if providers is None:
        return ["CPUExecutionProvider"]
    names = []
    for provider in providers:
        # ONNX Runtime also takes (name, options) pairs.
        names.append(provider[0] if isinstance(provider, (tuple, list)) else provider)
    return names


class InferenceSession(_flowonnx._InferenceSession):
    """Loads an ONNX model (a path, or the model's bytes) for inference, as
    onnxruntime.InferenceSession. ``run(output_names, input_feed, run_options=None)`` returns a
    list of numpy arrays; it releases the GIL and may be called from several threads at once."""

    def __init__(
        self,
        path_or_bytes: PathOrBytes,
        sess_options: Optional[SessionOptions] = None,
        providers: Optional[Sequence[Any]] = None,
        provider_options: Optional[Sequence[Dict[str, Any]]] = None,
        **kwargs: Any,
    ) -> None:
        if not isinstance(path_or_bytes, (bytes, bytearray)):
            path_or_bytes = os.fspath(path_or_bytes)
            if not os.path.exists(path_or_bytes):
                raise NoSuchFile(f"Load model from {path_or_bytes} failed: file doesn't exist")
        else:
            path_or_bytes = bytes(path_or_bytes)
        options = sess_options if sess_options is not None else SessionOptions()
        super().__init__(
            path_or_bytes,
            _provider_names(providers),
            int(options.intra_op_num_threads),
            int(options.graph_optimization_level) != GraphOptimizationLevel.ORT_DISABLE_ALL,
            int(options.log_severity_level) <= 0,
        )
        self._sess_options = options
        self._model_path = path_or_bytes if isinstance(path_or_bytes, str) else None

    def get_session_options(self) -> SessionOptions:
        return self._sess_options

    def get_provider_options(self) -> Dict[str, Dict[str, str]]:
        return {name: {} for name in self.get_providers()}
