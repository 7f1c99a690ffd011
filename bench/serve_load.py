#!/usr/bin/env python3
"""Load test for `flowonnx serve`: C concurrent clients send batch-1 requests (binary tensor data
over HTTP/REST, keep-alive connections) to one model, with dynamic batching on and off.

Writes a repository with the model twice (`batched`: max_batch_size + dynamic_batching;
`unbatched`: the same without dynamic_batching), starts `flowonnx serve` on a loopback port,
warms both up, then for each runs clients x requests and prints throughput and p50/p90/p99
latency. The client is Python's http.client (one connection per thread), so the numbers do not
depend on tritonclient's gevent scheduling.

  .venv/bin/python bench/serve_load.py --cli build/tools/flowonnx/flowonnx --model resnet18
"""

import argparse
import http.client
import json
import re
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import numpy as np


def write_repository(root: Path, model: Path, max_batch: int, delay_us: int, threads: int) -> None:
    for name, batching in (("batched", True), ("unbatched", False)):
        (root / name / "1").mkdir(parents=True)
        shutil.copy(model, root / name / "1" / "model.onnx")
        config = f"max_batch_size: {max_batch}\n"
        if batching:
            config += f"dynamic_batching {{ max_queue_delay_microseconds: {delay_us} }}\n"
        (root / name / "config.pbtxt").write_text(config)


def request_body(input_name: str, x: np.ndarray) -> tuple[bytes, dict]:
    header = json.dumps({"inputs": [{"name": input_name, "datatype": "FP32", "shape": list(x.shape),
                                     "parameters": {"binary_data_size": x.nbytes}}],
                         "parameters": {"binary_data_output": True}}).encode()
    return header + x.tobytes(), {"Inference-Header-Content-Length": str(len(header)),
                                  "Content-Type": "application/octet-stream"}


def get_json(port: int, path: str):
    # A fresh connection each time: the server closes keep-alive connections idle for 5 s.
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    connection.request("GET", path)
    return json.loads(connection.getresponse().read())


def run_load(port: int, model: str, body: bytes, headers: dict, clients: int, requests: int):
    latencies, errors = [], []
    lock = threading.Lock()

    def client():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        mine = []
        for _ in range(requests):
            start = time.perf_counter()
            connection.request("POST", f"/v2/models/{model}/infer", body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                errors.append(response.status)
            mine.append(time.perf_counter() - start)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    return elapsed, np.array(latencies) * 1000, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cli", default="build/tools/flowonnx/flowonnx")
    parser.add_argument("--model", default="resnet18", help="zoo model to export (dynamic batch)")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--requests", type=int, default=8, help="per client")
    parser.add_argument("--max-batch", type=int, default=16)
    parser.add_argument("--delay-us", type=int, default=5000)
    parser.add_argument("--threads", type=int, default=2, help="threads of the model's session")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="flowonnx_serve_load_") as tmp:
        tmp = Path(tmp)
        model = tmp / "model.onnx"
        subprocess.run([args.cli, "export", "--model", args.model, "--dynamic-batch", "-o", str(model)],
                       check=True, capture_output=True)
        write_repository(tmp / "models", model, args.max_batch, args.delay_us, args.threads)
        server = subprocess.Popen([args.cli, "serve", "--model-repository", str(tmp / "models"),
                                   "--host", "127.0.0.1", "--http-port", "0", "--grpc-port", "-1",
                                   "--metrics-port", "-1", "--threads", str(args.threads),
                                   "--http-threads", str(args.clients + 8)],
                                  stderr=subprocess.PIPE, text=True)
        port = None
        for line in server.stderr:
            match = re.search(r"HTTP on 127\.0\.0\.1:(\d+)", line)
            if match:
                port = int(match.group(1))
                break
        assert port, "the server did not start"
        try:
            meta = get_json(port, "/v2/models/batched")
            shape = [1] + [int(d) for d in meta["inputs"][0]["shape"][1:]]
            x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
            body, headers = request_body(meta["inputs"][0]["name"], x)
            with open("/proc/loadavg") as f:
                load_before = f.read().split()[:3]
            print(f"{args.model}, {args.clients} clients x {args.requests} requests, batch 1 each, "
                  f"session threads {args.threads}, load average {' '.join(load_before)}")
            print("| mode | req/s | p50 ms | p90 ms | p99 ms | executions | mean batch |")
            print("|---|---|---|---|---|---|---|")
            per_batch = []
            for name in ("unbatched", "batched"):
                run_load(port, name, body, headers, 2, 2)  # warm-up
                before = get_json(port, f"/v2/models/{name}/stats")["model_stats"][0]
                elapsed, lat, errors = run_load(port, name, body, headers, args.clients, args.requests)
                after = get_json(port, f"/v2/models/{name}/stats")["model_stats"][0]
                executions = after["execution_count"] - before["execution_count"]
                rows = after["inference_count"] - before["inference_count"]
                total = args.clients * args.requests
                print(f"| {name} | {total / elapsed:.1f} | {np.percentile(lat, 50):.0f} | "
                      f"{np.percentile(lat, 90):.0f} | {np.percentile(lat, 99):.0f} | {executions} | "
                      f"{rows / max(executions, 1):.1f} |" + (f" errors: {len(errors)}" if errors else ""))
                infer_ms = {b["batch_size"]: b["compute_infer"]["ns"] / max(b["compute_infer"]["count"], 1) / 1e6
                            for b in after["batch_stats"]}
                per_batch.append((name, infer_ms))
            for name, infer_ms in per_batch:
                print(f"{name}: mean compute_infer ms by batch size (whole run): "
                      + ", ".join(f"{size}: {ms:.0f}" for size, ms in sorted(infer_ms.items())))
            with open("/proc/loadavg") as f:
                print(f"load average after: {' '.join(f.read().split()[:3])}")
        finally:
            server.terminate()
            server.wait(timeout=120)


if __name__ == "__main__":
    main()
