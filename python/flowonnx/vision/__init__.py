"""flowonnx.vision: the tutorial's image pipeline and the model zoo (``flowonnx.vision.models``,
FlowVision's names)."""

from __future__ import annotations

from typing import Any, Tuple

import numpy as np

from .. import _flowonnx
from . import models

__all__ = ["preprocess_image", "read_image", "models"]


def read_image(path: str) -> np.ndarray:
    """``cv2.imread(path, cv2.IMREAD_COLOR)``: uint8 [H, W, 3], BGR, EXIF orientation applied.
    Raises NoSuchFile / IoError / InvalidArgument instead of returning None."""
    return _flowonnx.read_image(str(path))


def preprocess_image(
    img: Any, input_hw: Tuple[int, int] = (224, 224), *, rgb: bool = False
) -> np.ndarray:
    """The tutorial's ``preprocess_image``, bit for bit: scale the BGR uint8 image so its longer
    side fits ``input_hw`` (cv2.resize, INTER_LINEAR), divide by 255 in float32, zero-pad
    bottom/right, HWC -> CHW, add a batch axis: float32 [1, 3, H, W]."""
    return _flowonnx.preprocess_image(img, (int(input_hw[0]), int(input_hw[1])), rgb)
