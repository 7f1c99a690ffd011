"""torchvision's LR-ASPP MobileNetV3-Large semantic segmentation (seeded random weights)."""
import torch
import torchvision

from calibrate import calibrate_batch_norm


class OutOnly(torch.nn.Module):
    """The segmentation models return a dict; the export takes its "out" tensor."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, x):
        return self.inner(x)["out"]


def build():
    model = torchvision.models.segmentation.lraspp_mobilenet_v3_large(
        weights=None, weights_backbone=None, num_classes=21)
    calibrate_batch_norm(model, (2, 3, 224, 224))
    return OutOnly(model).eval(), (torch.randn(1, 3, 224, 224),)
