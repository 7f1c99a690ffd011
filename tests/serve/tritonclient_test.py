"""`flowonnx serve` driven by NVIDIA's official Triton client (tritonclient[http,grpc], PyPI).

Starts the real binary on a loopback ephemeral port with a repository of a two-input model
(written with onnx.helper) and an exported ResNet-18, then runs the client's metadata, ready,
config, infer (binary and JSON tensors), statistics and repository calls over HTTP, and the
same calls over gRPC. Outputs are compared
with ONNX Runtime (the independent oracle) and, for ResNet-18 with batching off, bit for bit with
`flowonnx run` on the same input. Run by ctest (serve_tritonclient) with FLOWONNX_CLI set.
"""

import os
import re
import signal
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper

tritonclient_http = pytest.importorskip("tritonclient.http")
tritonclient_grpc = pytest.importorskip("tritonclient.grpc")
from tritonclient.utils import InferenceServerException  # noqa: E402

CLI = os.environ.get("FLOWONNX_CLI", "build/tools/flowonnx/flowonnx")


def write_add_mul(path: Path) -> None:
    a = helper.make_tensor_value_info("a", TensorProto.FLOAT, ["batch", 3])
    b = helper.make_tensor_value_info("b", TensorProto.FLOAT, ["batch", 3])
    s = helper.make_tensor_value_info("sum", TensorProto.FLOAT, ["batch", 3])
    p = helper.make_tensor_value_info("prod", TensorProto.FLOAT, ["batch", 3])
    graph = helper.make_graph(
        [helper.make_node("Add", ["a", "b"], ["sum"]), helper.make_node("Mul", ["a", "b"], ["prod"])],
        "add_mul", [a, b], [s, p])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(path))


@pytest.fixture(scope="module")
def repository():
    with tempfile.TemporaryDirectory(prefix="flowonnx_tritonclient_") as tmp:
        root = Path(tmp) / "models"
        write_add_mul(root / "add_mul" / "1" / "model.onnx")
        resnet = root / "resnet18" / "1" / "model.onnx"
        resnet.parent.mkdir(parents=True)
        subprocess.run([CLI, "export", "--model", "resnet18", "--dynamic-batch", "-o", str(resnet)],
                       check=True, capture_output=True)
        # Batching off for ResNet-18: each request runs alone, as `flowonnx run` does.
        (root / "resnet18" / "config.pbtxt").write_text(
            'platform: "onnxruntime_onnx"\nmax_batch_size: 4\n')
        yield root


@pytest.fixture(scope="module")
def server(repository):
    process = subprocess.Popen(
        [CLI, "serve", "--model-repository", str(repository), "--host", "127.0.0.1",
         "--http-port", "0", "--grpc-port", "0", "--metrics-port", "-1", "--threads", "1"],
        stderr=subprocess.PIPE, text=True)
    ports = None
    for line in process.stderr:
        match = re.search(r"HTTP on 127\.0\.0\.1:(\d+), gRPC on 127\.0\.0\.1:(\d+)", line)
        if match:
            ports = int(match.group(1)), int(match.group(2))
            break
    assert ports, "the server did not report its ports"
    client = tritonclient_http.InferenceServerClient(url=f"127.0.0.1:{ports[0]}", concurrency=8)
    grpc_client = tritonclient_grpc.InferenceServerClient(url=f"127.0.0.1:{ports[1]}")
    process.grpc_client = grpc_client
    yield process, client
    client.close()
    grpc_client.close()
    if process.poll() is None:
        process.kill()
        process.wait()


def test_health_and_metadata(server):
    _, client = server
    assert client.is_server_live()
    assert client.is_server_ready()
    meta = client.get_server_metadata()
    assert meta["name"] == "flowonnx"
    assert "binary_tensor_data" in meta["extensions"]
    assert client.is_model_ready("add_mul")
    model = client.get_model_metadata("add_mul")
    assert [i["name"] for i in model["inputs"]] == ["a", "b"]
    assert model["inputs"][0]["shape"] == [-1, 3]
    assert model["outputs"][1] == {"name": "prod", "datatype": "FP32", "shape": [-1, 3]}
    config = client.get_model_config("resnet18")
    assert config["max_batch_size"] == 4
    assert config["input"][0]["dims"] == ["3", "224", "224"]


def infer_add_mul(client, a, b, binary_inputs, binary_outputs):
    inputs = [tritonclient_http.InferInput("a", list(a.shape), "FP32"),
              tritonclient_http.InferInput("b", list(b.shape), "FP32")]
    inputs[0].set_data_from_numpy(a, binary_data=binary_inputs)
    inputs[1].set_data_from_numpy(b, binary_data=binary_inputs)
    outputs = [tritonclient_http.InferRequestedOutput("sum", binary_data=binary_outputs),
               tritonclient_http.InferRequestedOutput("prod", binary_data=binary_outputs)]
    return client.infer("add_mul", inputs, outputs=outputs)


@pytest.mark.parametrize("binary_inputs,binary_outputs", [(True, True), (False, False), (True, False)])
def test_two_input_model_matches_onnxruntime(server, repository, binary_inputs, binary_outputs):
    _, client = server
    rng = np.random.default_rng(7)
    a = rng.standard_normal((3, 3)).astype(np.float32)
    b = rng.standard_normal((3, 3)).astype(np.float32)
    result = infer_add_mul(client, a, b, binary_inputs, binary_outputs)
    oracle = ort.InferenceSession(str(repository / "add_mul" / "1" / "model.onnx"),
                                  providers=["CPUExecutionProvider"])
    want_sum, want_prod = oracle.run(None, {"a": a, "b": b})
    np.testing.assert_array_equal(result.as_numpy("sum"), want_sum)
    np.testing.assert_array_equal(result.as_numpy("prod"), want_prod)


def test_infer_without_requested_outputs_returns_all(server):
    _, client = server
    a = np.ones((1, 3), np.float32)
    inputs = [tritonclient_http.InferInput("a", [1, 3], "FP32"), tritonclient_http.InferInput("b", [1, 3], "FP32")]
    inputs[0].set_data_from_numpy(a)
    inputs[1].set_data_from_numpy(2 * a)
    result = client.infer("add_mul", inputs)
    np.testing.assert_array_equal(result.as_numpy("sum"), 3 * a)
    np.testing.assert_array_equal(result.as_numpy("prod"), 2 * a)


def test_resnet18_matches_flowonnx_run_bit_for_bit_and_onnxruntime(server, repository, tmp_path):
    _, client = server
    x = np.random.default_rng(3).standard_normal((1, 3, 224, 224)).astype(np.float32)
    model_path = repository / "resnet18" / "1" / "model.onnx"
    meta = client.get_model_metadata("resnet18")
    name_in, name_out = meta["inputs"][0]["name"], meta["outputs"][0]["name"]
    infer_input = tritonclient_http.InferInput(name_in, [1, 3, 224, 224], "FP32")
    infer_input.set_data_from_numpy(x)
    served = client.infer("resnet18", [infer_input]).as_numpy(name_out)

    np.save(tmp_path / "x.npy", x)
    subprocess.run([CLI, "run", str(model_path), "--input", str(tmp_path / "x.npy"), "--output",
                    str(tmp_path / "y.npy"), "--threads", "1"], check=True, capture_output=True)
    np.testing.assert_array_equal(served, np.load(tmp_path / "y.npy"))

    oracle = ort.InferenceSession(str(model_path), providers=["CPUExecutionProvider"])
    want = oracle.run(None, {name_in: x})[0]
    scale = float(np.max(np.abs(want)))
    assert float(np.max(np.abs(served - want))) <= 1e-4 * scale


def test_concurrent_requests_are_batched_and_correct(server):
    _, client = server
    before = client.get_inference_statistics("add_mul")["model_stats"][0]
    # The client's own concurrency (gevent, `concurrency=8` connections): async_infer.
    pending, expected = [], []
    for i in range(64):
        a = np.full((1, 3), i, np.float32)
        b = np.arange(3, dtype=np.float32).reshape(1, 3)
        inputs = [tritonclient_http.InferInput("a", [1, 3], "FP32"),
                  tritonclient_http.InferInput("b", [1, 3], "FP32")]
        inputs[0].set_data_from_numpy(a)
        inputs[1].set_data_from_numpy(b)
        pending.append(client.async_infer("add_mul", inputs))
        expected.append((a + b, a * b))
    for request, (want_sum, want_prod) in zip(pending, expected):
        result = request.get_result()
        np.testing.assert_array_equal(result.as_numpy("sum"), want_sum)
        np.testing.assert_array_equal(result.as_numpy("prod"), want_prod)
    after = client.get_inference_statistics("add_mul")["model_stats"][0]
    requests = after["inference_stats"]["success"]["count"] - before["inference_stats"]["success"]["count"]
    executions = after["execution_count"] - before["execution_count"]
    assert requests == 64
    assert executions <= requests


def test_errors_reach_the_client(server):
    _, client = server
    inputs = [tritonclient_http.InferInput("a", [1, 3], "FP32")]
    inputs[0].set_data_from_numpy(np.ones((1, 3), np.float32))
    with pytest.raises(InferenceServerException, match="needs input 'b'"):
        client.infer("add_mul", inputs)
    with pytest.raises(InferenceServerException, match="unknown model 'nothing'"):
        client.get_model_metadata("nothing")
    assert client.is_server_live()


def test_repository_unload_and_load(server):
    _, client = server
    names = {entry["name"] for entry in client.get_model_repository_index()}
    assert names == {"add_mul", "resnet18"}
    client.unload_model("add_mul")
    assert not client.is_model_ready("add_mul")
    assert client.is_model_ready("resnet18")
    client.load_model("add_mul")
    assert client.is_model_ready("add_mul")


def test_grpc_client(server, repository):
    process, _ = server
    client = process.grpc_client
    assert client.is_server_live()
    assert client.is_server_ready()
    assert client.get_server_metadata().name == "flowonnx"
    assert client.is_model_ready("add_mul")
    meta = client.get_model_metadata("add_mul", as_json=True)
    assert [i["name"] for i in meta["inputs"]] == ["a", "b"]
    assert [int(d) for d in meta["inputs"][0]["shape"]] == [-1, 3]
    assert client.get_model_config("resnet18", as_json=True)["config"]["max_batch_size"] == 4

    rng = np.random.default_rng(11)
    a = rng.standard_normal((2, 3)).astype(np.float32)
    b = rng.standard_normal((2, 3)).astype(np.float32)
    inputs = [tritonclient_grpc.InferInput("a", [2, 3], "FP32"),
              tritonclient_grpc.InferInput("b", [2, 3], "FP32")]
    inputs[0].set_data_from_numpy(a)
    inputs[1].set_data_from_numpy(b)
    outputs = [tritonclient_grpc.InferRequestedOutput("prod")]
    result = client.infer("add_mul", inputs, outputs=outputs)
    oracle = ort.InferenceSession(str(repository / "add_mul" / "1" / "model.onnx"),
                                  providers=["CPUExecutionProvider"])
    np.testing.assert_array_equal(result.as_numpy("prod"), oracle.run(["prod"], {"a": a, "b": b})[0])
    assert result.as_numpy("sum") is None

    stats = client.get_inference_statistics("add_mul", as_json=True)
    assert int(stats["model_stats"][0]["inference_stats"]["success"]["count"]) > 0
    with pytest.raises(InferenceServerException, match="unknown model 'nothing'"):
        client.get_model_metadata("nothing")
    with pytest.raises(InferenceServerException, match="needs input 'b'"):
        client.infer("add_mul", inputs[:1])
    index = client.get_model_repository_index(as_json=True)
    assert {m["name"] for m in index["models"]} == {"add_mul", "resnet18"}


def test_sigterm_exits_zero(server):
    process, _ = server
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 0
