#!/usr/bin/env bash
# Side-by-side CPU timing of flowonnx and ONNX Runtime (PyPI onnxruntime in .venv, graph
# optimisation 'all'). For every model and (batch, threads) pair it runs `flowonnx bench --json`
# and tests/oracle/bench_model.py alternately, each in its own process, ROUNDS times, on the same
# .onnx file with the same deterministic inputs, and prints the median of the per-round medians,
# the ratio flowonnx/ORT, session creation, peak RSS (/usr/bin/time, whole process) and the ISA
# oneDNN ran flowonnx on; the CPU's ISA is stated at the top.
#
#   bench/compare_ort.sh [--build DIR] [--set default|full] [--models "NAME|PATH.onnx ..."]
#                        [--configs "1x2 1x1 8x2"] [--rounds 5] [--runs 20] [--warmup 5]
#                        [--isa native|avx2] [--model-dir DIR] [--flowonnx-args "..."]
# --models: zoo names (`flowonnx models`; exported with `flowonnx export --opset 13
#   --dynamic-batch` into --model-dir) and/or paths to .onnx files (a name with a '/' or ending
#   in .onnx). Default: --set default = resnet18 resnet34 resnet50.
# --set full: every image model of the zoo + the PyTorch exports of bench/make_bench_models.py
#   (efficientnet_b0 convnext_tiny regnet_y_400mf mobilenet_v3_large_torch bert_tiny, written into
#   --model-dir/torch with /usr/bin/python3 and Debian's python3-torchvision when missing;
#   scripts/setup.sh installs that).
#   --models given as well: those are added after the set.
# --isa avx2: flowonnx runs with ONEDNN_MAX_CPU_ISA=AVX2 (the AVX2 path on an AVX-512 CPU); any
#   other oneDNN name works the same way (avx512_core, ...). ORT is not affected.
# configs are BATCHxTHREADS. Needs scripts/setup.sh (.venv) and a built CLI. A model that fails
# in either runtime is reported in the table and the run goes on.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$root/build"
set_name="" models=""
configs="1x2 1x1 8x2"
rounds=5 runs=20 warmup=5
isa="native"
model_dir="${TMPDIR:-/tmp}/flowonnx-bench-models"
flowonnx_args=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build) build="$2"; shift 2 ;;
    --set) set_name="$2"; shift 2 ;;
    --models) models="$2"; shift 2 ;;
    --configs) configs="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --isa) isa="$2"; shift 2 ;;
    --model-dir) model_dir="$2"; shift 2 ;;
    --flowonnx-args) flowonnx_args="$2"; shift 2 ;;
    -h|--help) awk 'NR > 1 && !/^#/ {exit} NR > 1 {sub(/^# ?/, ""); print}' "$0"; exit 0 ;;
    *) echo "error: unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ -z "$set_name" && -z "$models" ]] && set_name=default
case "$set_name" in ""|default|full) ;; *) echo "error: --set is default or full" >&2; exit 2 ;; esac
[[ "$isa" =~ ^[A-Za-z0-9_]+$ ]] || { echo "error: bad --isa '$isa'" >&2; exit 2; }
cli="$build/tools/flowonnx/flowonnx"
ort_bench="$root/tests/oracle/bench_model.py"
python="${FLOWONNX_PYTHON:-$root/.venv/bin/python}"
torch_python="${FLOWONNX_TORCH_PYTHON:-/usr/bin/python3}"
[[ -x "$cli" ]] || { echo "error: $cli not built (cmake --build $build --target flowonnx)" >&2; exit 1; }
"$python" -c 'import onnxruntime' 2>/dev/null ||
  { echo "error: $python cannot import onnxruntime: run scripts/setup.sh" >&2; exit 1; }
"$root/scripts/setup_bench.sh"
export ORT_DISABLE_TELEMETRY=1
# ONNX Runtime's intra-op pool spins between parallel loops by default (allow_spinning=1);
# libgomp, which runs oneDNN's and our loops, reads its policy from the environment at load, so
# the flowonnx process gets the same behaviour here unless the caller chose one. Without it, a
# loaded machine adds a wake-up latency to every parallel region (2-thread runs 1.5-2x slower).
omp_wait_policy="${OMP_WAIT_POLICY:-ACTIVE}"
# The environment of every flowonnx process: the wait policy and, with --isa, oneDNN's ISA cap.
fo_env=(env "OMP_WAIT_POLICY=$omp_wait_policy")
if [[ "$isa" == native ]]; then
  isa_note="flowonnx: oneDNN's own choice"
  [[ -z "${ONEDNN_MAX_CPU_ISA:-}" ]] ||
    isa_note="flowonnx: ONEDNN_MAX_CPU_ISA=$ONEDNN_MAX_CPU_ISA (from the environment)"
else
  fo_env+=("ONEDNN_MAX_CPU_ISA=${isa^^}")
  isa_note="flowonnx forced to ONEDNN_MAX_CPU_ISA=${isa^^}; ORT unaffected"
fi

# The CPU's vector ISA from /proc/cpuinfo: the widest of amx / avx512 (+ vnni, bf16) / avx2.
cpu_flags=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2) "
cpu_isa="no avx2"
if [[ "$cpu_flags" == *" avx512f "* ]]; then
  cpu_isa="avx512f"
  for f in avx512_vnni avx512_bf16 amx_tile amx_int8 amx_bf16; do
    [[ "$cpu_flags" == *" $f "* ]] && cpu_isa+=" $f"
  done
elif [[ "$cpu_flags" == *" avx2 "* ]]; then
  cpu_isa="avx2"
  [[ "$cpu_flags" == *" avx_vnni "* ]] && cpu_isa+=" avx_vnni"
fi
cpu_name="$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
cpu_line="CPU: ${cpu_name:-unknown}, $(nproc) cpus, ISA $cpu_isa; $isa_note"

# The model list: "LABEL PATH ZOO_NAME" lines (ZOO_NAME '-' for .onnx files).
torch_dir="$model_dir/torch"
torch_models="efficientnet_b0 convnext_tiny regnet_y_400mf mobilenet_v3_large_torch bert_tiny"
specs=()
case "$set_name" in
  default) specs+=(resnet18 resnet34 resnet50) ;;
  full)
    # Image models: a float32 input [N,3,H,W] in `flowonnx models` (not bert_tiny's int64 ids).
    image_models='$2 == "input" && $3 == "float32" && $4 ~ /^\[[0-9]+,3,[0-9]+,[0-9]+\]$/ {print $1}'
    while read -r name; do specs+=("$name"); done < <("$cli" models | awk "$image_models")
    missing=()
    for m in $torch_models; do if [[ ! -f "$torch_dir/$m.onnx" ]]; then missing+=("$m"); fi; done
    if ((${#missing[@]})); then
      echo "writing ${missing[*]} into $torch_dir (bench/make_bench_models.py, $torch_python)" >&2
      "$torch_python" "$root/bench/make_bench_models.py" "$torch_dir" --models "${missing[@]}" ||
        echo "warning: make_bench_models.py failed; the models it did not write are left out" >&2
    fi
    for m in $torch_models; do if [[ -f "$torch_dir/$m.onnx" ]]; then specs+=("$torch_dir/$m.onnx"); fi; done
    ;;
esac
for m in $models; do specs+=("$m"); done
mkdir -p "$model_dir"
results="$(mktemp)"
trap 'rm -f "$results" "$results".*' EXIT
# fail INDEX LABEL BATCH THREADS WHAT: a failed row, with the first error line of $results.err.
fail() {
  echo "$1 $2 $3 $4 $5: $(grep -m1 -i error "$results.err" || tail -1 "$results.err")" >> "$results.fail"
  cat "$results.err" >&2
}

echo "$cpu_line" >&2
echo "machine: load average $(cut -d' ' -f1-3 /proc/loadavg); flowonnx OMP_WAIT_POLICY=$omp_wait_policy" >&2
index=0
for spec in "${specs[@]}"; do
  index=$((index + 1))
  if [[ "$spec" == */* || "$spec" == *.onnx ]]; then
    onnx="$spec" label="$(basename "$spec" .onnx)"
    if [[ ! -f "$onnx" ]]; then
      echo "error: $onnx not found" > "$results.err"; fail "$index" "$label" - - file; continue
    fi
  else
    onnx="$model_dir/$spec.onnx" label="$spec"
    if [[ ! -f "$onnx" ]]; then
      echo "exporting $spec -> $onnx" >&2
      if ! "$cli" export --model "$spec" --opset 13 --dynamic-batch -o "$onnx" >&2 2> "$results.err"; then
        fail "$index" "$label" - - export; rm -f "$onnx"; continue
      fi
    fi
  fi
  label="${label// /_}"
  for config in $configs; do
    batch="${config%x*}" threads="${config#*x}"
    for ((round = 1; round <= rounds; ++round)); do
      # shellcheck disable=SC2086
      if ! fo_json="$("${fo_env[@]}" /usr/bin/time -f %M -o "$results.rss" "$cli" bench "$onnx" \
          --json --batch "$batch" --threads "$threads" --warmup "$warmup" --runs "$runs" \
          $flowonnx_args 2> "$results.err")"; then
        fail "$index" "$label" "$batch" "$threads" flowonnx; break
      fi
      fo_rss="$(tail -1 "$results.rss")"
      # NAME=SHAPE of every input, as flowonnx fed them (bench_model.py feeds the same values).
      mapfile -t input_args < <(python3 -c 'import json,sys
for i in json.loads(sys.argv[1])["inputs"]:
    print("--input=%s=%s" % (i["name"], "x".join(map(str, i["shape"]))))' "$fo_json")
      if ! ort_json="$(/usr/bin/time -f %M -o "$results.rss" "$python" "$ort_bench" "$onnx" \
          "${input_args[@]}" --threads "$threads" --warmup "$warmup" --runs "$runs" \
          2> "$results.err")"; then
        fail "$index" "$label" "$batch" "$threads" ORT; break
      fi
      ort_rss="$(tail -1 "$results.rss")"
      echo "$index $label $batch $threads $round $fo_rss $ort_rss $fo_json $ort_json" >> "$results"
      python3 -c 'import json,sys; fo, ort = json.loads(sys.argv[2]), json.loads(sys.argv[3])
print("  %s: flowonnx %.2f ms (%s), ORT %.2f ms"
      % (sys.argv[1], fo["median_ms"], fo.get("isa", "?"), ort["median_ms"]), file=sys.stderr)' \
        "$label batch $batch threads $threads round $round" "$fo_json" "$ort_json"
    done
  done
done
echo "machine after: load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2

touch "$results.fail"
python3 - "$results" "$results.fail" "$cpu_line" "$rounds" "$runs" "$warmup" <<'PY'
import json, statistics, sys
results, failures, cpu_line, rounds, runs, warmup = sys.argv[1:7]
rows, ort_version = {}, "?"
for line in open(results):
    index, model, batch, threads, _round, fo_rss, ort_rss, rest = line.split(" ", 7)
    decoder = json.JSONDecoder()
    fo, end = decoder.raw_decode(rest)
    ort, _ = decoder.raw_decode(rest[end:].lstrip())
    ort_version = ort.get("onnxruntime", ort_version)
    r = rows.setdefault((int(index), model, batch, threads), {k: [] for k in
        ("fo", "ort", "fo_create", "ort_create", "fo_rss", "ort_rss", "isa")})
    r["fo"].append(fo["median_ms"]); r["ort"].append(ort["median_ms"])
    r["fo_create"].append(fo["session_create_ms"]); r["ort_create"].append(ort["session_create_ms"])
    r["fo_rss"].append(int(fo_rss) / 1024); r["ort_rss"].append(int(ort_rss) / 1024)
    if fo.get("isa", "?") not in r["isa"]:
        r["isa"].append(fo.get("isa", "?"))
for line in open(failures):
    index, model, batch, threads, why = line.rstrip("\n").split(" ", 4)
    rows[(int(index), model, batch, threads)] = why
med = statistics.median
print(f"{cpu_line}; ONNX Runtime {ort_version} (its own ISA dispatch); "
      f"median of {rounds} rounds x {runs} runs ({warmup} warmup)")
print()
print("| model | batch | threads | flowonnx ms | ORT ms | ratio | oneDNN ISA (fo) "
      "| create ms (fo / ORT) | peak RSS MiB (fo / ORT) |")
print("|---|---|---|---|---|---|---|---|---|")
for (index, model, batch, threads), r in sorted(rows.items(), key=lambda kv: (kv[0][0],)):
    if isinstance(r, str):
        print(f"| {model} | {batch} | {threads} | failed: {r.replace('|', '/')} | | | | | |")
        continue
    fo, ort = med(r["fo"]), med(r["ort"])
    print(f"| {model} | {batch} | {threads} | {fo:.2f} | {ort:.2f} | {fo / ort:.3f} | "
          f"{', '.join(r['isa'])} | {med(r['fo_create']):.0f} / {med(r['ort_create']):.0f} | "
          f"{med(r['fo_rss']):.0f} / {med(r['ort_rss']):.0f} |")
PY
