#!/usr/bin/python3
"""Writes the PyTorch-exported models of the benchmark set (bench/compare_ort.sh --set full).

  /usr/bin/python3 bench/make_bench_models.py DIR [--models NAME ...] [--opset 17] [--list]

Runs under Debian's python3-torch / python3-torchvision (scripts/setup.sh installs them),
not the project's .venv. Nothing is downloaded: every model is built with seeded random weights
(torch.manual_seed(0); BatchNorm statistics calibrated on seeded random batches, see
calibrate_batch_norm), put in eval mode and exported with the TorchScript exporter
(torch.onnx.export) with a symbolic batch axis "batch". Files already in DIR are kept.

  efficientnet_b0.onnx           torchvision efficientnet_b0     input [batch,3,224,224] float32
  convnext_tiny.onnx             torchvision convnext_tiny       input [batch,3,224,224] float32
  regnet_y_400mf.onnx            torchvision regnet_y_400mf      input [batch,3,224,224] float32
  mobilenet_v3_large_torch.onnx  torchvision mobilenet_v3_large  input [batch,3,224,224] float32
  bert_tiny.onnx                 BERT-tiny encoder (below)       input_ids, attention_mask
                                                                 int64 [batch,128]

BERT-tiny (google/bert_uncased_L-2_H-128_A-2 geometry: 2 layers, hidden 128, 2 heads,
intermediate 512, vocab 30522, 512 positions, sequence 128) is written here as a small nn.Module
because HF transformers is not available: word + position + token-type embeddings, LayerNorm,
post-LN self-attention with the additive mask (1 - mask) * -10000, exact (erf) GELU FFN, and the
tanh pooler. Outputs last_hidden_state [batch,128,128] and pooler_output [batch,128]. The bench
tools feed int64 inputs with values in [0, 100), so attention_mask is not a 0/1 mask there; the
work done is the same.

Opset 17 by default: LayerNorm becomes one LayerNormalization node and hardswish one HardSwish
node, as in current exports. Exit 1 when torch/torchvision cannot be imported or an export fails.
"""
import argparse
import math
import os
import sys
import time

TORCHVISION_MODELS = {
    "efficientnet_b0": "efficientnet_b0",
    "convnext_tiny": "convnext_tiny",
    "regnet_y_400mf": "regnet_y_400mf",
    "mobilenet_v3_large_torch": "mobilenet_v3_large",
}
ALL_MODELS = list(TORCHVISION_MODELS) + ["bert_tiny"]

BERT = dict(vocab=30522, hidden=128, layers=2, heads=2, intermediate=512, positions=512,
            type_vocab=2, seq=128, eps=1e-12)


def bert_tiny_module(torch):
    nn = torch.nn
    cfg = BERT

    class SelfAttentionLayer(nn.Module):
        def __init__(self):
            super().__init__()
            h = cfg["hidden"]
            self.heads, self.head_dim = cfg["heads"], h // cfg["heads"]
            self.query, self.key, self.value = nn.Linear(h, h), nn.Linear(h, h), nn.Linear(h, h)
            self.attention_output = nn.Linear(h, h)
            self.attention_norm = nn.LayerNorm(h, eps=cfg["eps"])
            self.intermediate = nn.Linear(h, cfg["intermediate"])
            self.gelu = nn.GELU()  # exact (erf) GELU, as BERT
            self.output = nn.Linear(cfg["intermediate"], h)
            self.output_norm = nn.LayerNorm(h, eps=cfg["eps"])

        def split_heads(self, x):  # [b, s, h] -> [b, heads, s, head_dim]; -1: the batch
            return x.reshape(-1, cfg["seq"], self.heads, self.head_dim).permute(0, 2, 1, 3)

        def forward(self, x, additive_mask):
            q = self.split_heads(self.query(x))
            k = self.split_heads(self.key(x))
            v = self.split_heads(self.value(x))
            scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_dim)
            probs = torch.softmax(scores + additive_mask, dim=-1)
            context = torch.matmul(probs, v).permute(0, 2, 1, 3)
            context = context.reshape(-1, cfg["seq"], cfg["hidden"])
            x = self.attention_norm(x + self.attention_output(context))
            return self.output_norm(x + self.output(self.gelu(self.intermediate(x))))

    class BertTiny(nn.Module):
        def __init__(self):
            super().__init__()
            h = cfg["hidden"]
            self.word_embeddings = nn.Embedding(cfg["vocab"], h)
            self.position_embeddings = nn.Embedding(cfg["positions"], h)
            self.token_type_embeddings = nn.Embedding(cfg["type_vocab"], h)
            self.embedding_norm = nn.LayerNorm(h, eps=cfg["eps"])
            self.layers = nn.ModuleList(SelfAttentionLayer() for _ in range(cfg["layers"]))
            self.pooler = nn.Linear(h, h)
            self.register_buffer("position_ids", torch.arange(cfg["seq"]).unsqueeze(0))

        def forward(self, input_ids, attention_mask):
            # Token type 0 everywhere (single-segment input): one row of the table, broadcast.
            x = (self.word_embeddings(input_ids) + self.position_embeddings(self.position_ids)
                 + self.token_type_embeddings.weight[0])
            x = self.embedding_norm(x)
            additive_mask = (1.0 - attention_mask[:, None, None, :].to(x.dtype)) * -10000.0
            for layer in self.layers:
                x = layer(x, additive_mask)
            pooled = torch.tanh(self.pooler(x[:, 0]))
            return x, pooled

    return BertTiny()


def calibrate_batch_norm(torch, model):
    """Sets every BatchNorm's running statistics to those of two seeded random batches.

    With torchvision's initial statistics (mean 0, var 1) the activations of the randomly
    initialised EfficientNet / MobileNet shrink block after block (outputs around 1e-14 and
    1e-10), far from what a trained model computes and close to the denormal range, which is a
    speed of its own. Calibrated, every normalised activation has about unit variance."""
    norms = [m for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    if not norms:
        return
    for m in norms:
        m.reset_running_stats()
        m.momentum = None  # cumulative average over the calibration batches
    model.train()
    with torch.no_grad():
        for _ in range(2):
            model(torch.randn(8, 3, 224, 224))
    model.eval()


def export(torch, model, args, input_names, output_names, path, opset):
    model.eval()
    dynamic = {name: {0: "batch"} for name in input_names + output_names}
    tmp = path + ".tmp"
    with torch.no_grad():
        torch.onnx.export(model, args, tmp, input_names=input_names, output_names=output_names,
                          dynamic_axes=dynamic, opset_version=opset, do_constant_folding=True)
    os.replace(tmp, path)  # never leave a half-written file that the next run would skip


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dir", nargs="?", help="output folder (created)")
    parser.add_argument("--models", nargs="+", choices=ALL_MODELS, default=ALL_MODELS)
    parser.add_argument("--opset", type=int, choices=[13, 17], default=17)
    parser.add_argument("--list", action="store_true", help="print the model names and exit")
    args = parser.parse_args()
    if args.list:
        print("\n".join(ALL_MODELS))
        return 0
    if not args.dir:
        parser.error("DIR is required")
    os.makedirs(args.dir, exist_ok=True)
    todo = [m for m in args.models if not os.path.exists(os.path.join(args.dir, m + ".onnx"))]
    for m in args.models:
        if m not in todo:
            print(f"{m}: {os.path.join(args.dir, m + '.onnx')} exists, kept", file=sys.stderr)
    if not todo:
        return 0
    try:
        import torch
        import torchvision
    except ImportError as e:
        print(f"error: {e}; install Debian's python3-torch and python3-torchvision and run this "
              "with /usr/bin/python3", file=sys.stderr)
        return 1
    torch.set_grad_enabled(False)
    failed = []
    for name in todo:
        path = os.path.join(args.dir, name + ".onnx")
        start = time.perf_counter()
        torch.manual_seed(0)
        try:
            if name in TORCHVISION_MODELS:
                builder = getattr(torchvision.models, TORCHVISION_MODELS[name], None)
                if builder is None:
                    print(f"warning: torchvision {torchvision.__version__} has no "
                          f"{TORCHVISION_MODELS[name]}; {name} not written", file=sys.stderr)
                    failed.append(name)
                    continue
                model = builder(weights=None)
                calibrate_batch_norm(torch, model)
                export(torch, model.eval(), (torch.randn(1, 3, 224, 224),), ["input"], ["output"],
                       path, args.opset)
            else:
                model = bert_tiny_module(torch).eval()
                ids = torch.randint(0, BERT["vocab"], (1, BERT["seq"]), dtype=torch.int64)
                mask = torch.ones(1, BERT["seq"], dtype=torch.int64)
                export(torch, model, (ids, mask), ["input_ids", "attention_mask"],
                       ["last_hidden_state", "pooler_output"], path, args.opset)
        except Exception as e:  # report and go on with the others
            print(f"error: exporting {name}: {type(e).__name__}: {e}", file=sys.stderr)
            failed.append(name)
            continue
        print(f"{name}: {path} ({os.path.getsize(path) / 2**20:.1f} MiB, opset {args.opset}, "
              f"torch {torch.__version__}, torchvision {torchvision.__version__}, "
              f"{time.perf_counter() - start:.1f} s)", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
