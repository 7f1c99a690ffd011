"""A small U-Net (Ronneberger et al.): three down-sampling stages, ConvTranspose2d up-sampling and
skip concatenations, a 1x1 head; input [batch, 3, 64, 64], two-class logits at full resolution."""
import torch

BATCHES = (1, 2)


def double_conv(cin, cout):
    return torch.nn.Sequential(
        torch.nn.Conv2d(cin, cout, 3, padding=1, bias=False), torch.nn.BatchNorm2d(cout),
        torch.nn.ReLU(inplace=True),
        torch.nn.Conv2d(cout, cout, 3, padding=1, bias=False), torch.nn.BatchNorm2d(cout),
        torch.nn.ReLU(inplace=True))


class UNet(torch.nn.Module):
    def __init__(self, channels=3, classes=2, width=16):
        super().__init__()
        widths = [width, width * 2, width * 4, width * 8]
        self.inc = double_conv(channels, widths[0])
        self.downs = torch.nn.ModuleList(
            [double_conv(widths[i], widths[i + 1]) for i in range(len(widths) - 1)])
        self.ups = torch.nn.ModuleList(
            [torch.nn.ConvTranspose2d(widths[i + 1], widths[i], 2, stride=2)
             for i in reversed(range(len(widths) - 1))])
        self.up_convs = torch.nn.ModuleList(
            [double_conv(widths[i] * 2, widths[i]) for i in reversed(range(len(widths) - 1))])
        self.head = torch.nn.Conv2d(widths[0], classes, 1)
        for module in self.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                torch.nn.init.uniform_(module.running_mean, -0.2, 0.2)
                torch.nn.init.uniform_(module.running_var, 0.5, 1.5)

    def forward(self, x):
        skips = [self.inc(x)]
        for down in self.downs:
            skips.append(down(torch.nn.functional.max_pool2d(skips[-1], 2)))
        y = skips.pop()
        for up, conv in zip(self.ups, self.up_convs):
            y = conv(torch.cat([skips.pop(), up(y)], dim=1))
        return self.head(y)


def build():
    torch.manual_seed(0)
    return UNet().eval(), (torch.randn(1, 3, 64, 64),)
