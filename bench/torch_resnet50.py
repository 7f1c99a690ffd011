#!/usr/bin/env python3
"""PyTorch's ResNet-50 on the GPU, the reference for gpu_bench (bench/gpu_check.sh).

torchvision resnet50 with random weights (weights=None), eval mode, float32, TF32 off unless
--tf32: eager latency (min / median / p90 over --runs after --warmup, each run ending in
torch.cuda.synchronize), then torch.compile (default mode) within --compile-timeout seconds.
Prints one JSON line per (impl, batch) with gpu_bench's field names; a failure or timeout of
torch.compile is printed as a JSON line with "error" and the script goes on.
"""
import argparse
import json
import os
import signal
import statistics
import sys
import time


def percentile(values, q):
    values = sorted(values)
    at = q * (len(values) - 1)
    low = int(at)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (at - low)


def time_model(torch, model, batch, warmup, runs):
    x = torch.randn(batch, 3, 224, 224, device="cuda", generator=torch.Generator(device="cuda").manual_seed(1234))
    with torch.inference_mode():
        for _ in range(warmup):
            model(x)
        torch.cuda.synchronize()
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            model(x)
            torch.cuda.synchronize()
            times.append((time.perf_counter() - start) * 1000.0)
    median = statistics.median(times)
    return {"min_ms": min(times), "median_ms": median, "p90_ms": percentile(times, 0.9),
            "throughput_per_s": batch * 1000.0 / median}


class CompileTimeout(BaseException):
    """Raised by SIGALRM; a BaseException so torch's own `except Exception` does not wrap it."""


def on_alarm(signum, frame):
    raise CompileTimeout()


def emit(fields):
    print(json.dumps(fields), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", default="1,32", help="comma-separated batch sizes")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--tf32", action="store_true", help="allow TF32 in cuDNN and matmul")
    parser.add_argument("--cudnn-benchmark", action="store_true",
                        help="torch.backends.cudnn.benchmark (autotuned convolutions; off by default)")
    parser.add_argument("--compile-timeout", type=float, default=120.0,
                        help="seconds for torch.compile (0 skips it)")
    args = parser.parse_args()
    batches = [int(b) for b in args.batch.split(",") if b]
    suffix = "-tf32" if args.tf32 else ""

    try:
        import torch
        import torchvision
    except ImportError as error:
        emit({"impl": "torch-eager" + suffix, "model": "resnet50", "error": f"cannot import: {error}"})
        return 1
    if not torch.cuda.is_available():
        emit({"impl": "torch-eager" + suffix, "model": "resnet50", "error": "torch.cuda.is_available() is False"})
        return 1
    torch.backends.cudnn.allow_tf32 = args.tf32
    torch.backends.cuda.matmul.allow_tf32 = args.tf32
    torch.backends.cudnn.benchmark = args.cudnn_benchmark
    torch.manual_seed(0)
    device = torch.cuda.get_device_name(0)
    model = torchvision.models.resnet50(weights=None).eval().cuda().float()
    common = {"model": "resnet50", "providers": ["torch"], "device": device, "tf32": args.tf32,
              "cudnn_benchmark": args.cudnn_benchmark, "torch": torch.__version__}

    for batch in batches:
        result = time_model(torch, model, batch, args.warmup, args.runs)
        emit({"impl": "torch-eager" + suffix, "batch": batch, **common, **result})

    if args.compile_timeout <= 0:
        return 0
    # torch.compile compiles lazily on the first call of each new shape; the alarm bounds the
    # whole compile + timing of every batch (compile of a second shape may recompile).
    batch = None
    start = time.perf_counter()
    signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, args.compile_timeout)
    try:
        compiled = torch.compile(model)
        for batch in batches:
            first = time.perf_counter()
            with torch.inference_mode():
                compiled(torch.randn(batch, 3, 224, 224, device="cuda"))
            torch.cuda.synchronize()
            compile_ms = (time.perf_counter() - first) * 1000.0
            result = time_model(torch, compiled, batch, args.warmup, args.runs)
            emit({"impl": "torch-compile" + suffix, "batch": batch, **common,
                  "session_create_ms": compile_ms, **result})
    except CompileTimeout:
        emit({"impl": "torch-compile" + suffix, "batch": batch, **common,
              "error": f"torch.compile exceeded --compile-timeout {args.compile_timeout:g} s "
                       f"({time.perf_counter() - start:.0f} s)"})
        # Inductor's compile workers may still be busy; do not wait for them at exit.
        sys.stdout.flush()
        os._exit(0)
    except Exception as error:  # noqa: BLE001 - any compile failure is reported, not fatal
        signal.setitimer(signal.ITIMER_REAL, 0)
        emit({"impl": "torch-compile" + suffix, "batch": batch, **common,
              "error": f"torch.compile failed: {type(error).__name__}: {str(error)[:500]}"})
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
