"""flowonnx.nn: eager modules and static graphs, as ``oneflow.nn``.

Subclass :class:`Graph` as the tutorial does::

    class ResNet34Graph(nn.Graph):
        def __init__(self, eager_model):
            super().__init__()
            self.model = eager_model

        def build(self, x):
            return self.model(x)

``graph._compile(sample)`` (or ``compile``) traces ``build`` once into a static graph, which the
ONNX exporter (flowonnx.onnx) converts. Graph names follow OneFlow: the n-th instance of class
``ResNet34Graph`` in a process is ``ResNet34Graph_n``, its first input
``_ResNet34Graph_0-input_0/out``.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Sequence, Tuple, Union

from . import _flowonnx
from ._flowonnx import Module, Tensor

__all__ = ["Graph", "Module"]


class Graph:
    """A static graph built from eager modules; subclass it and implement ``build``."""

    def __init__(
        self,
        *,
        input_names: Optional[Sequence[str]] = None,
        output_names: Optional[Sequence[str]] = None,
    ) -> None:
        # The instance number in the graph's name is taken here, as OneFlow does.
        object.__setattr__(
            self,
            "_graph",
            _flowonnx._Graph(
                type(self).__name__, list(input_names or []), list(output_names or [])
            ),
        )
        object.__setattr__(self, "_module_names", set())

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, Module):
            if "_graph" not in self.__dict__:
                raise RuntimeError(
                    f"{type(self).__name__}: call super().__init__() before assigning modules"
                )
            if name in self._module_names:
                raise ValueError(f"{type(self).__name__}: module '{name}' is already registered")
            if self._graph.is_compiled:
                raise RuntimeError(f"{self.name}: cannot add module '{name}' after compile")
            self._graph.add_module(name, value)
            self._module_names.add(name)
        object.__setattr__(self, name, value)

    def build(self, *args: Tensor) -> Union[Tensor, Tuple[Tensor, ...]]:
        raise NotImplementedError(f"{type(self).__name__} must implement build()")

    def compile(self, *sample_inputs: Any) -> None:
        """Traces build() on the sample inputs (any array-likes of the right dtype and shape)
        with every module in eval mode."""
        self._graph.compile(self.build, [_flowonnx.as_tensor(x) for x in sample_inputs])

    _compile = compile  # the tutorial's (and OneFlow's) spelling

    @property
    def is_compiled(self) -> bool:
        return self._graph.is_compiled

    @property
    def name(self) -> str:
        """``ResNet34Graph_0``."""
        return self._graph.name

    def state_dict(self) -> Dict[str, Tensor]:
        return self._graph.state_dict()

    def __call__(self, *inputs: Any) -> Union[Tensor, Tuple[Tensor, ...]]:
        """Runs the compiled graph (compiling it on these inputs first, as OneFlow does)."""
        if not self._graph.is_compiled:
            self.compile(*inputs)
        outputs = self._graph.run([_flowonnx.as_tensor(x) for x in inputs])
        return outputs[0] if len(outputs) == 1 else tuple(outputs)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, compiled={self.is_compiled})"
