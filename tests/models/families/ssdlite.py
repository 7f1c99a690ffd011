"""torchvision's SSDlite320 (MobileNetV3-Large backbone) with its whole detection postprocess in
the graph: anchor decoding, per-class score thresholding and TopK, and batched NonMaxSuppression
(inside an If: torchvision scripts `boxes.numel() == 0`). Seeded random weights. The detector takes
a list of images and returns one dict per image with a data-dependent number of detections, so
the wrapper feeds one [1, 3, 320, 320] image and returns its boxes, scores and labels; the trace
unrolls the list, which fixes the batch to 1.
"""
import torch
import torchvision

from calibrate import calibrate_batch_norm

OPSET = 13             # NonMaxSuppression needs 11
DYNAMIC_BATCH = False  # the trace unrolls the list of images
BATCHES = (1,)


class BackboneAndHead(torch.nn.Module):
    """What calibrate_batch_norm runs in train mode (the detector itself wants targets there)."""

    def __init__(self, detector):
        super().__init__()
        self.detector = detector

    def forward(self, x):
        return self.detector.head(list(self.detector.backbone(x).values()))


class SingleImage(torch.nn.Module):
    def __init__(self, detector):
        super().__init__()
        self.detector = detector

    def forward(self, images):
        result = self.detector([images[0]])[0]
        return result["boxes"], result["scores"], result["labels"]


def build():
    # The top 50 detections, not 300: detections come sorted by score, and two runtimes whose
    # scores agree to 1e-6 still swap neighbours closer than that; among 300 random-weight
    # scores such near ties are common, among the top 50 rare.
    detector = torchvision.models.detection.ssdlite320_mobilenet_v3_large(
        weights=None, weights_backbone=None, detections_per_img=50)
    # Without it every class gets the same score and the test would check only tie-breaking.
    calibrate_batch_norm(BackboneAndHead(detector), (4, 3, 320, 320))
    return SingleImage(detector).eval(), (torch.rand(1, 3, 320, 320),)
