"""A DCGAN generator (Radford et al.): a 100-d latent [batch, 100, 1, 1] up-sampled to a 64x64 RGB
image by a ConvTranspose2d stack with BatchNorm + ReLU, Tanh out."""
import torch

BATCHES = (1, 2)


class Generator(torch.nn.Module):
    def __init__(self, latent=100, features=64, channels=3):
        super().__init__()
        layers = []
        widths = [latent, features * 8, features * 4, features * 2, features]
        for i, (cin, cout) in enumerate(zip(widths, widths[1:])):
            # 1x1 -> 4x4 by a full 4x4 kernel, then doubling steps (stride 2, padding 1).
            stride, padding = (1, 0) if i == 0 else (2, 1)
            layers += [torch.nn.ConvTranspose2d(cin, cout, 4, stride, padding, bias=False),
                       torch.nn.BatchNorm2d(cout), torch.nn.ReLU(True)]
        layers += [torch.nn.ConvTranspose2d(features, channels, 4, 2, 1, bias=False), torch.nn.Tanh()]
        self.main = torch.nn.Sequential(*layers)
        # Non-trivial running statistics, so BatchNorm is not the identity in eval mode.
        for module in self.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                torch.nn.init.uniform_(module.running_mean, -0.2, 0.2)
                torch.nn.init.uniform_(module.running_var, 0.5, 1.5)
                torch.nn.init.uniform_(module.weight, 0.5, 1.5)
                torch.nn.init.uniform_(module.bias, -0.2, 0.2)

    def forward(self, z):
        return self.main(z)


def build():
    torch.manual_seed(0)
    return Generator().eval(), (torch.randn(1, 100, 1, 1),)
