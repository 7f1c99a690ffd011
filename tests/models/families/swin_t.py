"""torchvision's Swin-T (shifted-window attention; seeded random weights)."""
import torch
import torchvision


def build():
    model = torchvision.models.swin_t(weights=None)
    return model.eval(), (torch.randn(1, 3, 224, 224),)
