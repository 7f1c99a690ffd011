"""Gives BatchNorm layers realistic running statistics from seeded random batches, so activations
keep a sane scale through deep random-weight networks (default mean 0 / var 1 statistics let them
explode or vanish, and the comparison would test nothing)."""
import torch


def calibrate_batch_norm(model, shape, batches=2):
    model.train()
    for module in model.modules():
        if isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
            module.reset_running_stats()
            module.momentum = None  # cumulative average over the calibration batches
    with torch.no_grad():
        for _ in range(batches):
            model(torch.randn(*shape))
    model.eval()
