"""A bidirectional two-layer GRU sequence classifier (batch-first), as speech and text models use."""
import torch

BATCHES = (1, 3)


class BiGru(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = torch.nn.GRU(input_size=24, hidden_size=32, num_layers=2, batch_first=True,
                                bidirectional=True)
        self.head = torch.nn.Linear(64, 10)

    def forward(self, x):
        sequence, _ = self.gru(x)
        return self.head(sequence)


def build():
    return BiGru().eval(), (torch.randn(2, 17, 24),)
