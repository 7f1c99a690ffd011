"""A torch.jit.script module with real control flow: an `if` on a tensor value (exported as If)
and a `for` loop whose trip count is the input's batch size (exported as Loop whose body reads
outer-scope values), as TorchScript-exported models contain."""
import torch

OPSET = 13
BATCHES = (1, 3)


class Gate(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.up = torch.nn.Linear(8, 16)
        self.down = torch.nn.Linear(8, 16)
        self.out = torch.nn.Linear(16, 4)

    def forward(self, x):
        if bool(x.mean() > 0):  # data dependent: If
            h = torch.relu(self.up(x))
        else:
            h = torch.tanh(self.down(x)) * 2.0
        acc = torch.zeros_like(h[0])
        for i in range(x.size(0)):  # trip count from the input: Loop
            acc = acc * 0.5 + h[i] * float(i + 1)
        return self.out(h + acc)


def build():
    return torch.jit.script(Gate().eval()), (torch.randn(2, 8),)
