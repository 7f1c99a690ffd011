#!/usr/bin/env bash
# Side-by-side CPU timing of flowonnx and ONNX Runtime (PyPI onnxruntime in .venv, graph
# optimisation 'all') on ResNets exported by this project. For every model and (batch, threads)
# pair it runs `flowonnx bench --json` and tests/oracle/bench_model.py alternately, each in its own process,
# ROUNDS times, on the same .onnx file with the same deterministic input, and prints the median
# of the per-round medians, the ratio flowonnx/ORT, session creation and peak RSS (both from
# /usr/bin/time, whole process).
#
#   bench/compare_ort.sh [--build DIR] [--models "resnet18 resnet34 resnet50"]
#                        [--configs "1x2 1x1 8x2"] [--rounds 5] [--runs 20] [--warmup 5]
#                        [--model-dir DIR] [--flowonnx-args "..."]
# configs are BATCHxTHREADS. Needs scripts/setup.sh (.venv) and a built CLI.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$root/build"
models="resnet18 resnet34 resnet50"
configs="1x2 1x1 8x2"
rounds=5 runs=20 warmup=5
model_dir="${TMPDIR:-/tmp}/flowonnx-bench-models"
flowonnx_args=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build) build="$2"; shift 2 ;;
    --models) models="$2"; shift 2 ;;
    --configs) configs="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --model-dir) model_dir="$2"; shift 2 ;;
    --flowonnx-args) flowonnx_args="$2"; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "error: unknown argument $1" >&2; exit 2 ;;
  esac
done
cli="$build/tools/flowonnx/flowonnx"
ort_bench="$root/tests/oracle/bench_model.py"
python="${FLOWONNX_PYTHON:-$root/.venv/bin/python}"
[[ -x "$cli" ]] || { echo "error: $cli not built (cmake --build $build --target flowonnx)" >&2; exit 1; }
"$python" -c 'import onnxruntime' 2>/dev/null ||
  { echo "error: $python cannot import onnxruntime: run scripts/setup.sh" >&2; exit 1; }
export ORT_DISABLE_TELEMETRY=1
# ONNX Runtime's intra-op pool spins between parallel loops by default (allow_spinning=1);
# libgomp, which runs oneDNN's and our loops, reads its policy from the environment at load, so
# the flowonnx process gets the same behaviour here unless the caller chose one. Without it, a
# loaded machine adds a wake-up latency to every parallel region (2-thread runs 1.5-2x slower).
omp_wait_policy="${OMP_WAIT_POLICY:-ACTIVE}"
mkdir -p "$model_dir"
results="$(mktemp)"
trap 'rm -f "$results" "$results.rss"' EXIT

echo "machine: $(nproc) cpus, load average $(cut -d' ' -f1-3 /proc/loadavg); flowonnx OMP_WAIT_POLICY=$omp_wait_policy" >&2
for model in $models; do
  onnx="$model_dir/$model.onnx"
  if [[ ! -f "$onnx" ]]; then
    echo "exporting $model -> $onnx" >&2
    "$cli" export --model "$model" --opset 13 --dynamic-batch -o "$onnx" >&2
  fi
  for config in $configs; do
    batch="${config%x*}" threads="${config#*x}"
    for ((round = 1; round <= rounds; ++round)); do
      # shellcheck disable=SC2086
      fo_json="$(OMP_WAIT_POLICY="$omp_wait_policy" /usr/bin/time -f %M -o "$results.rss" "$cli" bench "$onnx" --json \
        --batch "$batch" --threads "$threads" --warmup "$warmup" --runs "$runs" $flowonnx_args)"
      fo_rss="$(tail -1 "$results.rss")"
      input_arg="$(python3 -c 'import json,sys; i=json.loads(sys.argv[1])["inputs"][0]; print(i["name"] + "=" + "x".join(map(str, i["shape"])))' "$fo_json")"
      ort_json="$(/usr/bin/time -f %M -o "$results.rss" "$python" "$ort_bench" "$onnx" --input "$input_arg" \
        --threads "$threads" --warmup "$warmup" --runs "$runs")"
      ort_rss="$(tail -1 "$results.rss")"
      echo "$model $batch $threads $round $fo_rss $ort_rss $fo_json $ort_json" >> "$results"
      echo "  $model batch $batch threads $threads round $round: flowonnx $(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["median_ms"])' "$fo_json") ms, ORT $(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["median_ms"])' "$ort_json") ms" >&2
    done
  done
done
echo "machine after: load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2

python3 - "$results" <<'PY'
import json, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    model, batch, threads, _round, fo_rss, ort_rss, rest = line.split(" ", 6)
    decoder = json.JSONDecoder()
    fo, end = decoder.raw_decode(rest)
    ort, _ = decoder.raw_decode(rest[end:].lstrip())
    r = rows.setdefault((model, int(batch), int(threads)), {k: [] for k in
        ("fo", "ort", "fo_create", "ort_create", "fo_rss", "ort_rss")})
    r["fo"].append(fo["median_ms"]); r["ort"].append(ort["median_ms"])
    r["fo_create"].append(fo["session_create_ms"]); r["ort_create"].append(ort["session_create_ms"])
    r["fo_rss"].append(int(fo_rss) / 1024); r["ort_rss"].append(int(ort_rss) / 1024)
med = statistics.median
print("| model | batch | threads | flowonnx ms | ORT ms | ratio | create ms (fo / ORT) | peak RSS MiB (fo / ORT) |")
print("|---|---|---|---|---|---|---|---|")
for (model, batch, threads), r in rows.items():
    fo, ort = med(r["fo"]), med(r["ort"])
    print(f"| {model} | {batch} | {threads} | {fo:.2f} | {ort:.2f} | {fo / ort:.3f} | "
          f"{med(r['fo_create']):.0f} / {med(r['ort_create']):.0f} | "
          f"{med(r['fo_rss']):.0f} / {med(r['ort_rss']):.0f} |")
PY
