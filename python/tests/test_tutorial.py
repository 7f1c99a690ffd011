"""(1) The tutorial's script, with only its import lines changed, runs end to end: it loads a
OneFlow checkpoint, exports ResNet-34 with a dynamic batch and checks it (print_outlier=True),
classifies cat.jpg in flowonnx's InferenceSession and prints the class `flowonnx classify` prints
for the same model and image."""

import ast
import pathlib
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

import flowonnx

HERE = pathlib.Path(__file__).resolve().parent


def test_tutorial_script_runs_and_agrees_with_the_cli(tmp_path, data_dir, cli):
    # The checkpoint the tutorial loads: seeded stand-ins for FlowVision's trained weights.
    model = flowonnx.vision.models.create_seeded_model("resnet34", 0)
    (tmp_path / "checkpoints").mkdir()
    flowonnx.save(model.state_dict(), tmp_path / "checkpoints" / "resnet34")
    assert (tmp_path / "checkpoints" / "resnet34" / "snapshot_done").exists()
    shutil.copy(data_dir / "cat.jpg", tmp_path / "cat.jpg")
    shutil.copy(data_dir / "imagenet_classes.txt", tmp_path / "ImageNet-Class-Names.txt")

    run = subprocess.run([sys.executable, str(HERE / "tutorial_script.py")], cwd=tmp_path,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "check passed" in out, out
    assert "N" in flowonnx.InferenceSession(str(tmp_path / "model.onnx")).get_inputs()[0].shape
    # The last line is CLASS_NAMES[argmax]: " 285: 'Egyptian cat'," (the file's own line).
    last = [line for line in out.splitlines() if line.strip()][-1]
    match = re.match(r"\s*\{?\s*(\d+): '(.*)',?\}?$", last)
    assert match, last
    script_index, script_name = int(match.group(1)), match.group(2)

    classify = subprocess.run([cli, "classify", str(tmp_path / "model.onnx"),
                               str(tmp_path / "cat.jpg"), "--top", "1"],
                              capture_output=True, text=True, timeout=300)
    assert classify.returncode == 0, classify.stderr
    cli_match = re.search(r"#1\s+(\d+): '(.*?)'", classify.stdout)
    assert cli_match, classify.stdout
    assert (int(cli_match.group(1)), cli_match.group(2)) == (script_index, script_name)


def tutorial_function(name):
    """A function of tutorial_script.py, compiled on its own (the script itself runs everything
    when imported)."""
    import cv2

    tree = ast.parse((HERE / "tutorial_script.py").read_text())
    (node,) = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name]
    namespace = {"cv2": cv2, "np": np}
    exec(compile(ast.Module([node], type_ignores=[]), "tutorial_script.py", "exec"), namespace)
    return namespace[name]


def test_preprocess_image_matches_the_tutorials_numpy_cv2_function(data_dir):
    cv2 = pytest.importorskip("cv2")
    tutorial_preprocess = tutorial_function("preprocess_image")
    cat = cv2.imread(str(data_dir / "cat.jpg"), cv2.IMREAD_COLOR)
    np.testing.assert_array_equal(flowonnx.vision.read_image(str(data_dir / "cat.jpg")), cat)
    rng = np.random.default_rng(0)
    images = [cat, cat[:, :301], cat[:97], rng.integers(0, 256, (31, 640, 3), dtype=np.uint8),
              rng.integers(0, 256, (500, 17, 3), dtype=np.uint8)]
    for image in images:
        for input_hw in [(224, 224), (320, 320), (112, 112)]:
            expected = tutorial_preprocess(image, input_hw)
            got = flowonnx.vision.preprocess_image(image, input_hw=input_hw)
            assert got.dtype == np.float32 and got.shape == expected.shape
            np.testing.assert_array_equal(got, expected)
