"""An independent EfficientNet-Lite0 in plain torch, run eagerly from a state_dict: the oracle of
the zoo's efficientnet_lite0 (tests/models/efficientnet_test.cc).

Written from the TensorFlow reference (tensorflow/tpu models/official/efficientnet/lite), not
from flowonnx's code: stem conv 3x3/2 (32) + BN + ReLU6; 16 MBConv blocks from the block
strings below (1x1 expand + BN + ReLU6 unless e == 1, depthwise kxk/s + BN + ReLU6, 1x1 project
+ BN, identity skip when s == 1 and in == out; no squeeze-excite in Lite); head conv 1x1 (1280) +
BN + ReLU6; global average pool; fc 1000. TensorFlow's "SAME" padding: total padding
max((ceil(i/s) - 1) * s + k - i, 0), the smaller half before (top/left). BN epsilon 1e-3.

Usage (Debian's python3 with python3-torch):
    /usr/bin/python3 reference_lite0.py WEIGHTS.pth INPUT.npy OUTPUT.npy
INPUT is a float32 [N,3,H,W] batch; OUTPUT gets the [N,1000] logits. Also prints the weights'
top-5 classes for input 0 (for a human check).
"""
import math
import sys

import numpy as np
import torch
import torch.nn.functional as F

BLOCKS = ["r1_k3_s1_e1_i32_o16", "r2_k3_s2_e6_i16_o24", "r2_k5_s2_e6_i24_o40",
          "r3_k3_s2_e6_i40_o80", "r3_k5_s1_e6_i80_o112", "r4_k5_s2_e6_i112_o192",
          "r1_k3_s1_e6_i192_o320"]
EPS = 1e-3


def same_conv(x, weight, stride, groups=1):
    k = weight.shape[-1]
    pads = []
    for size in (x.shape[3], x.shape[2]):  # F.pad wants (left, right, top, bottom)
        total = max((math.ceil(size / stride) - 1) * stride + k - size, 0)
        pads += [total // 2, total - total // 2]
    return F.conv2d(F.pad(x, pads), weight, None, stride, 0, 1, groups)


def bn(x, sd, prefix):
    return F.batch_norm(x, sd[prefix + ".running_mean"], sd[prefix + ".running_var"],
                        sd[prefix + ".weight"], sd[prefix + ".bias"], False, 0.0, EPS)


def decode(block):
    fields = dict((f[0], f[1:]) for f in block.split("_"))
    return (int(fields["r"]), int(fields["k"]), int(fields["s"]), int(fields["e"]),
            int(fields["i"]), int(fields["o"]))


def forward(sd, x):
    x = F.relu6(bn(same_conv(x, sd["_conv_stem.weight"], 2), sd, "_bn0"))
    index = 0
    for block in BLOCKS:
        repeats, kernel, stride, expand, cin, cout = decode(block)
        for r in range(repeats):
            s, i = (stride, cin) if r == 0 else (1, cout)
            p = "_blocks.%d." % index
            y = x
            if expand != 1:
                y = F.relu6(bn(F.conv2d(y, sd[p + "_expand_conv.weight"]), sd, p + "_bn0"))
            w = sd[p + "_depthwise_conv.weight"]
            assert w.shape[-1] == kernel, (p, w.shape)
            y = F.relu6(bn(same_conv(y, w, s, groups=w.shape[0]), sd, p + "_bn1"))
            y = bn(F.conv2d(y, sd[p + "_project_conv.weight"]), sd, p + "_bn2")
            x = x + y if s == 1 and i == cout else y
            index += 1
    assert "_blocks.%d._project_conv.weight" % index not in sd, "more blocks than expected"
    x = F.relu6(bn(F.conv2d(x, sd["_conv_head.weight"]), sd, "_bn1"))
    x = torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)
    return F.linear(x, sd["_fc.weight"], sd["_fc.bias"])


def main(weights, input_path, output_path):
    sd = torch.load(weights, map_location="cpu")
    x = torch.from_numpy(np.load(input_path))
    with torch.no_grad():
        y = forward(sd, x)
    np.save(output_path, y.numpy())
    p = torch.softmax(y[0], 0)
    top = torch.topk(p, 5)
    print("top-5:", [(int(i), round(float(v), 4)) for v, i in zip(top.values, top.indices)])


if __name__ == "__main__":
    main(*sys.argv[1:4])
