"""deploy/ cannot run here (no Docker, no Kubernetes); this checks what can be checked: the KServe
manifests parse and agree with each other, and the runtime's arguments (and the Dockerfile's
entry point) are ones `flowonnx serve` accepts: it starts with them on a repository and exits 0
on SIGTERM. Run by ctest (serve_deploy) with FLOWONNX_CLI set."""

import os
import re
import signal
import subprocess
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
CLI = os.environ.get("FLOWONNX_CLI", "build/tools/flowonnx/flowonnx")


def load(name):
    with open(ROOT / "deploy" / "kserve" / name) as f:
        return list(yaml.safe_load_all(f))


def test_manifests_parse_and_agree():
    (runtime,) = load("serving-runtime.yaml")
    (service,) = load("inference-service.yaml")
    assert runtime["kind"] == "ServingRuntime"
    assert service["kind"] == "InferenceService"
    model = service["spec"]["predictor"]["model"]
    assert model["runtime"] == runtime["metadata"]["name"]
    assert model["modelFormat"]["name"] in [f["name"] for f in runtime["spec"]["supportedModelFormats"]]
    assert model["protocolVersion"] in runtime["spec"]["protocolVersions"]
    container = runtime["spec"]["containers"][0]
    args = container["args"]
    http_port = int(next(a for a in args if a.startswith("--http-port=")).split("=")[1])
    assert container["ports"][0]["containerPort"] == http_port
    assert container["readinessProbe"]["httpGet"]["port"] == http_port
    metrics_port = next(a for a in args if a.startswith("--metrics-port=")).split("=")[1]
    assert runtime["spec"]["annotations"]["prometheus.kserve.io/port"] == metrics_port


def test_runtime_arguments_start_the_server(tmp_path):
    (runtime,) = load("serving-runtime.yaml")
    args = runtime["spec"]["containers"][0]["args"]
    repository = tmp_path / "models"
    repository.mkdir()
    # The same arguments, with the repository here and free ports instead of KServe's.
    args = [a.replace("/mnt/models", str(repository)) for a in args]
    args = [re.sub(r"^(--(http|grpc|metrics)-port)=\d+$", r"\1=0", a) for a in args]
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    assert 'ENTRYPOINT ["flowonnx", "serve"]' in dockerfile
    process = subprocess.Popen([CLI, "serve", "--host", "127.0.0.1", *args], stderr=subprocess.PIPE,
                               text=True)
    line = process.stderr.readline()
    assert "HTTP on 127.0.0.1:" in line, line
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 0
