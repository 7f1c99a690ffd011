"""flowonnx.vision.models: the model zoo by FlowVision / torchvision name, e.g.
``resnet34()``. Weights are initialised from a seed: pretrained ImageNet weights cannot be
downloaded, so load a checkpoint with ``model.load_state_dict(flowonnx.load(path))``: a OneFlow
folder, a PyTorch ``.pth``/``.pt`` file or ``.safetensors``.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List

from .. import _flowonnx
from .._flowonnx import Module, create_model, create_seeded_model, model_info, model_names

__all__: List[str] = ["create_model", "create_seeded_model", "model_info", "model_names"]


def _factory(name: str) -> Callable[..., Module]:
    def make(
        pretrained: bool = False, progress: bool = True, seed: int = 0, **kwargs: Any
    ) -> Module:
        if pretrained:
            raise ValueError(
                f"{name}(pretrained=True): pretrained weights cannot be downloaded here; build "
                f"the model and load a checkpoint (OneFlow folder, PyTorch file, .safetensors) with "
                f"model.load_state_dict(flowonnx.load(path))"
            )
        if kwargs:
            raise TypeError(f"{name}(): unsupported arguments {sorted(kwargs)}")
        return create_model(name, seed)

    make.__name__ = make.__qualname__ = name
    make.__doc__ = f"{model_info(name)['description']}; weights initialised from `seed`."
    return make


for _name in model_names():
    globals()[_name] = _factory(_name)
    __all__.append(_name)
del _name
