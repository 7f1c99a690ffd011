#!/usr/bin/env bash
# bench/gpu_check.sh: the one-shot check of the CUDA execution provider on a GPU machine.
#
#   bench/gpu_check.sh [--bundle DIR (default .gpu)] [--build-dir DIR] [--out DIR] [--quick] [--no-torch]
#
# (a) GPU and driver; (b) cuBLAS/cuBLASLt 13 and cuDNN 9 from python3's nvidia wheels or the
# system, put first on LD_LIBRARY_PATH; (c) the binaries: DIR/bundle.tar.xz (scripts/gpu_bundle.sh)
# unpacked, or --build-dir's, with ldd showing nothing missing; (d) the `cuda` test suite;
# (e) gpu_bench on ResNet-50 (batch 1 and 32, fp32 and, unless --quick, TF32) and PyTorch
# (bench/torch_resnet50.py, eager and torch.compile); (f) a summary table. Every stage runs under
# `timeout` within a total budget (GPU_CHECK_BUDGET_S, default 350 s), and a failed stage is
# reported without stopping the rest. Writes gpu_check.log, one log per stage and summary.txt to
# --out (default $OUT if set, else ./gpu_check_out). Exit status: 0 when every stage passed.
set -uo pipefail

repo_dir=$(cd "$(dirname "$0")/.." && pwd)
bundle_dir=$repo_dir/.gpu
build_dir=""
out_dir=${OUT:-./gpu_check_out}
quick=0
no_torch=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --bundle) bundle_dir=$2; shift 2 ;;
    --build-dir) build_dir=$2; shift 2 ;;
    --out) out_dir=$2; shift 2 ;;
    --quick) quick=1; shift ;;
    --no-torch) no_torch=1; shift ;;
    -h|--help) awk 'NR > 1 && !/^#/ {exit} NR > 1 {print}' "$0"; exit 0 ;;
    *) echo "gpu_check: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
mkdir -p "$out_dir"
out_dir=$(cd "$out_dir" && pwd)
exec > >(tee "$out_dir/gpu_check.log") 2>&1
system_ld_path=${LD_LIBRARY_PATH:-}  # for python3 (torch brings its own libraries)

budget_s=${GPU_CHECK_BUDGET_S:-350}  # the whole script; each stage gets at most what is left
start_s=$SECONDS
stages=()  # "name|PASS/FAIL/SKIP|note"
record() { stages+=("$1|$2|$3"); echo ">>> $1: $2${3:+ ($3)}"; }
left() { echo $(( budget_s - (SECONDS - start_s) )); }
# run_stage LIMIT_S LOG COMMAND...: COMMAND under timeout (LIMIT_S or the budget left, if less),
# its output to LOG; returns its status (124 or 137 = timed out).
run_stage() {
  local limit=$1 log=$2; shift 2
  local remaining; remaining=$(left)
  (( remaining < limit )) && limit=$remaining
  if (( limit < 5 )); then echo "(no time left in the ${budget_s} s budget)" | tee "$log"; return 124; fi
  echo "\$ $* > $(basename "$log") (timeout ${limit} s)"
  timeout --kill-after=10 "$limit" "$@" > "$log" 2>&1
  local status=$?
  (( status == 124 || status == 137 )) && echo "TIMED OUT after ${limit} s" >> "$log"
  return $status
}
section() { echo; echo "=== $1 ($(( SECONDS - start_s )) s) ==="; }

# ---- (a) the GPU ---------------------------------------------------------------------------------
section "GPU"
have_gpu=0
if command -v nvidia-smi > /dev/null && timeout 30 nvidia-smi -L; then
  timeout 30 nvidia-smi | grep -E "Driver Version" || true
  have_gpu=1
  record gpu PASS "$(timeout 30 nvidia-smi -L | head -1)"
else
  record gpu FAIL "nvidia-smi missing or failing: no GPU here; benchmarks shrink to a smoke run"
fi

# ---- (b) cuBLAS(Lt) 13 and cuDNN 9 ---------------------------------------------------------------
section "CUDA libraries"
search_dirs=()
if command -v python3 > /dev/null; then
  # nvidia.cudnn / nvidia.cublas lib/ folders, and every folder of the nvidia namespace package
  # (newer wheels put everything under nvidia/cu13/lib).
  while IFS= read -r dir; do [[ -d $dir ]] && search_dirs+=("$dir"); done < <(timeout 60 python3 - <<'EOF' 2>/dev/null
import importlib, os
for name in ("nvidia.cudnn", "nvidia.cublas", "nvidia.cuda_nvrtc", "nvidia.cu13", "nvidia"):
    try:
        module = importlib.import_module(name)
    except Exception:
        continue
    for path in list(getattr(module, "__path__", [])) or [os.path.dirname(module.__file__)]:
        print(os.path.join(path, "lib"))
        print(path)
EOF
)
fi
search_dirs+=(/usr/local/cuda/lib64 /usr/local/cuda/lib /usr/local/cuda/targets/x86_64-linux/lib
              /usr/lib/x86_64-linux-gnu)
# find_lib SONAME: the first folder (searched recursively) holding SONAME.
find_lib() {
  local dir hit
  for dir in "${search_dirs[@]}"; do
    hit=$(find "$dir" -maxdepth 4 -name "$1" \( -type f -o -type l \) 2>/dev/null | head -1)
    [[ -n $hit ]] && { dirname "$hit"; return 0; }
  done
  return 1
}
lib_dirs=()
cudnn_dir=""
libs_ok=1
for soname in libcudnn.so.9 libcublasLt.so.13 libcublas.so.13 libnvrtc.so.13; do
  if dir=$(find_lib "$soname"); then
    echo "$soname: $dir"
    [[ $soname == libcudnn.so.9 ]] && cudnn_dir=$dir
    [[ " ${lib_dirs[*]-} " == *" $dir "* ]] || lib_dirs+=("$dir")
  elif [[ $soname == libnvrtc.so.13 ]]; then
    echo "$soname: not found (optional: cuDNN's runtime-compiled engines only)"
  else
    echo "$soname: NOT FOUND in ${search_dirs[*]}"
    libs_ok=0
  fi
done
if [[ ${#lib_dirs[@]} -gt 0 ]]; then
  export LD_LIBRARY_PATH=$(IFS=:; echo "${lib_dirs[*]}")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
fi
echo "LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}"
# The versions the loader will pick (this build was compiled against cuDNN 9.19 and CUDA 13.0).
timeout 30 python3 - <<'EOF' 2>&1 || true
import ctypes
for lib, symbol in (("libcudnn.so.9", "cudnnGetVersion"), ("libcublasLt.so.13", "cublasLtGetVersion")):
    try:
        function = getattr(ctypes.CDLL(lib), symbol)
        function.restype = ctypes.c_size_t
        print(f"{lib}: {symbol}() = {function()}")
    except OSError as error:
        print(f"{lib}: cannot load: {error}")
EOF
(( libs_ok )) && record cuda-libs PASS "${lib_dirs[*]}" || record cuda-libs FAIL "cuDNN 9 or cuBLAS 13 missing"

# ---- (c) the binaries ----------------------------------------------------------------------------
section "binaries"
bin_dir=""
if [[ -n $build_dir ]]; then
  cuda_tests=$build_dir/tests/cuda_tests
  gpu_bench=$build_dir/bench/gpu_bench
else
  unpack_dir=$(mktemp -d)
  trap 'rm -rf "$unpack_dir"' EXIT
  if tar -xJf "$bundle_dir/bundle.tar.xz" -C "$unpack_dir"; then
    bin_dir=$unpack_dir/bin
    head -5 "$unpack_dir/MANIFEST.txt"
    export LD_LIBRARY_PATH=$unpack_dir/lib:$LD_LIBRARY_PATH
  else
    echo "cannot unpack $bundle_dir/bundle.tar.xz"
  fi
  cuda_tests=$bin_dir/cuda_tests
  gpu_bench=$bin_dir/gpu_bench
fi
# ldd_problems: "not found" libraries and symbol versions the machine's libraries lack, for our
# binaries and the cuDNN parts that libcudnn loads at run time (they need libz, which we carry).
ldd_problems() {
  local files=("$cuda_tests" "$gpu_bench")
  [[ -n $cudnn_dir ]] && files+=($(compgen -G "$cudnn_dir/libcudnn_*.so.9"))
  ldd "${files[@]}" 2>&1 | grep -E "not found|No such file" | sort -u
}
if [[ -x $cuda_tests && -x $gpu_bench ]]; then
  problems=$(ldd_problems)
  if [[ -n $problems && -n $bin_dir && -d $unpack_dir/lib/compat ]]; then
    echo "with the machine's libstdc++ / libgcc_s:"; echo "$problems"
    echo "retrying with the bundle's lib/compat"
    export LD_LIBRARY_PATH=$unpack_dir/lib/compat:$LD_LIBRARY_PATH
    problems=$(ldd_problems)
  fi
  if [[ -z $problems ]]; then
    record binaries PASS "every library found (ldd)"
  else
    echo "$problems"
    record binaries FAIL "ldd: $(echo "$problems" | wc -l) libraries/versions missing (see above)"
  fi
else
  record binaries FAIL "cuda_tests / gpu_bench not found (bundle $bundle_dir, build dir ${build_dir:-none})"
fi

# ---- (d) the cuda test suite ---------------------------------------------------------------------
section "cuda_tests"
# Full gtest output goes to the log (the terminal gets the summary). A crash or hang ends the run
# early, and a sticky CUDA error (illegal address, launch failure) fails every later test: the
# test that caused it is named and the suite runs again without it (up to 3 times, budget
# permitting), so one bad kernel does not hide the results of the others.
if [[ -x $cuda_tests ]]; then
  excluded=()
  attempt=0
  sticky_re="illegal memory access|unspecified launch failure|misaligned address|illegal instruction"
  sticky_re+="|hardware stack error|uncorrectable ECC"
  while :; do
    log=$out_dir/cuda_tests.log
    [[ $attempt -gt 0 ]] && log=$out_dir/cuda_tests.retry$attempt.log
    filter_args=()
    [[ ${#excluded[@]} -gt 0 ]] && filter_args=("--gtest_filter=-$(IFS=:; echo "${excluded[*]}")")
    run_stage 200 "$log" "$cuda_tests" --gtest_color=no "${filter_args[@]}"
    status=$?
    if grep -qE "^\[==========\] .* ran" "$log"; then
      # A sticky CUDA error (a kernel's bad access) breaks the context for every later test.
      culprit=$(awk -v sticky="$sticky_re" '/^\[ RUN      \] /{test=$4} $0 ~ sticky {print test; exit}' "$log")
      [[ -z $culprit ]] && break
      echo "--- sticky CUDA error, first in $culprit (later tests in that run may fail because of it):"
      grep -m3 -E "$sticky_re" "$log"
    else
      culprit=$(grep -E "^\[ RUN      \] " "$log" | tail -1 | sed -E 's/^\[ RUN      \] //')
      how=crashed
      (( status == 124 || status == 137 )) && how=hung
      echo "--- no gtest summary (exit $status: $how); last lines:"
      tail -15 "$log"
      [[ -z $culprit ]] && break
    fi
    echo "--- it was running: $culprit"
    excluded+=("$culprit")
    attempt=$((attempt + 1))
    (( attempt > 3 || $(left) < 90 )) && break
  done
  grep -E "^\[==========\] .* ran|^\[  PASSED  \]|^\[  SKIPPED \] [0-9]+ test|^\[  FAILED  \] [0-9]+ test" "$log"
  # Each failed test shows twice (when it fails, with its time, and in the final list).
  failed_names=$(grep -E "^\[  FAILED  \] [A-Za-z]" "$log" | sed -E 's/ \([0-9]+ ms\)$//' | sort -u)
  [[ -n $failed_names ]] && echo "$failed_names"
  failed=$(grep -c . <<< "$failed_names")
  skipped=$(grep -oE "^\[  SKIPPED \] [0-9]+" "$log" | grep -oE "[0-9]+" | head -1)
  passed=$(grep -oE "^\[  PASSED  \] [0-9]+" "$log" | grep -oE "[0-9]+" | head -1)
  note="passed ${passed:-?}, failed $failed, skipped ${skipped:-0}"
  [[ ${#excluded[@]} -gt 0 ]] && note="$note, crashed/hung/sticky error: ${excluded[*]}"
  no_cuda=$(grep -m1 -oE "no CUDA device[:( ].*" "$log")
  if (( have_gpu )) && [[ -n $no_cuda ]]; then
    record cuda_tests FAIL "$note; the GPU is here but the tests skipped: $no_cuda"
  elif (( status == 0 && ${#excluded[@]} == 0 )); then
    record cuda_tests PASS "$note"
  else
    grep -qE "^\[==========\] .* ran" "$log" || note="$note, no gtest summary (exit $status)"
    record cuda_tests FAIL "$note"
  fi
else
  record cuda_tests FAIL "no binary"
fi

# ---- (e) benchmarks ------------------------------------------------------------------------------
section "benchmarks"
export_dir=$(mktemp -d)  # the exported ResNet-50 (~100 MB) stays out of --out
bench_args=(--batch 1,32 --warmup 5 --runs 30)
(( have_gpu )) || bench_args=(--batch 1 --warmup 1 --runs 3)  # a smoke run on the CPU
bench_ok=1
if [[ -x $gpu_bench ]]; then
  run_stage 120 "$out_dir/gpu_bench.log" "$gpu_bench" --model resnet50 --providers cuda,cpu \
    --export-dir "$export_dir" "${bench_args[@]}" || bench_ok=0
  cat "$out_dir/gpu_bench.log"
  if (( have_gpu )) && [[ -f $export_dir/model.onnx ]]; then  # what CUDA graphs buy
    run_stage 90 "$out_dir/gpu_bench_nographs.log" "$gpu_bench" --model resnet50 --providers cuda,cpu \
      --no-cuda-graphs --onnx "$export_dir/model.onnx" "${bench_args[@]}" || bench_ok=0
    cat "$out_dir/gpu_bench_nographs.log"
  fi
  if (( ! quick )) && [[ -f $export_dir/model.onnx ]]; then
    run_stage 90 "$out_dir/gpu_bench_fp16.log" "$gpu_bench" --model resnet50 --providers cuda,cpu --fp16 \
      --onnx "$export_dir/model.onnx" "${bench_args[@]}" || bench_ok=0
    cat "$out_dir/gpu_bench_fp16.log"
    run_stage 90 "$out_dir/gpu_bench_tf32.log" "$gpu_bench" --model resnet50 --providers cuda,cpu --tf32 \
      --onnx "$export_dir/model.onnx" "${bench_args[@]}" || bench_ok=0
    cat "$out_dir/gpu_bench_tf32.log"
  fi
  rm -rf "$export_dir"
else
  bench_ok=0
fi
bench_note="see gpu_bench*.log"
if (( have_gpu )) && grep -qs '"device":"cpu' "$out_dir"/gpu_bench*.log; then
  bench_ok=0
  bench_note="the GPU is here but gpu_bench ran on the CPU: $(grep -ohm1 '"device":"cpu[^"]*"' \
    "$out_dir"/gpu_bench*.log | head -1)"
fi
(( bench_ok )) && record gpu_bench PASS "" || record gpu_bench FAIL "$bench_note"

if (( no_torch )); then
  record torch SKIP "--no-torch"
else
  torch_args=(--batch "$( (( have_gpu )) && echo 1,32 || echo 1)" --warmup 5 --runs 30)
  compile_timeout=$(( quick ? 60 : 120 ))
  torch_ok=1
  run_stage $(( compile_timeout + 60 )) "$out_dir/torch.log" env LD_LIBRARY_PATH="$system_ld_path" \
    python3 "$repo_dir/bench/torch_resnet50.py" "${torch_args[@]}" --compile-timeout "$compile_timeout" || torch_ok=0
  tail -n 20 "$out_dir/torch.log"
  if (( ! quick )); then
    run_stage 60 "$out_dir/torch_tf32.log" env LD_LIBRARY_PATH="$system_ld_path" \
      python3 "$repo_dir/bench/torch_resnet50.py" "${torch_args[@]}" --tf32 --compile-timeout 0 || torch_ok=0
    tail -n 20 "$out_dir/torch_tf32.log"
  fi
  (( torch_ok )) && record torch PASS "" || record torch FAIL "see torch*.log"
fi

# ---- (f) summary ---------------------------------------------------------------------------------
section "summary"
{
  echo "flowonnx GPU check, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(( SECONDS - start_s )) s"
  [[ -n $bin_dir ]] && grep -m1 "git revision" "$unpack_dir/MANIFEST.txt"
  echo
  printf '%-12s %-5s %-60s\n' stage result note
  for entry in "${stages[@]}"; do
    IFS='|' read -r name result note <<< "$entry"
    printf '%-12s %-5s %-60s\n' "$name" "$result" "$note"
  done
  echo
  python3 - "$out_dir"/gpu_bench*.log "$out_dir"/torch*.log <<'EOF' || echo "(no benchmark results)"
import json, sys
rows = []
for path in sys.argv[1:]:
    try:
        lines = open(path).read().splitlines()
    except OSError:
        continue
    for line in lines:
        if line.startswith("{"):
            try:
                rows.append(json.loads(line))
            except ValueError:
                pass
print(f"{'model':<9} {'batch':>5} {'impl':<18} {'median ms':>10} {'min ms':>9} {'per s':>9}  notes")
for r in rows:
    head = f"{r.get('model', '?'):<9} {str(r.get('batch', '-')):>5} {r.get('impl', '?'):<18}"
    if "error" in r:
        print(f"{head} {'-':>10} {'-':>9} {'-':>9}  {r['error']}")
        continue
    notes = r.get("device", "")
    if "nodes_on_gpu" in r:
        notes += f"; nodes gpu/cpu {r['nodes_on_gpu']}/{r['nodes_on_cpu']}; session {r['session_create_ms']:.0f} ms"
    elif "session_create_ms" in r:
        notes += f"; first call (compile) {r['session_create_ms'] / 1000:.1f} s"
    print(f"{head} {r['median_ms']:>10.3f} {r['min_ms']:>9.3f} {r['throughput_per_s']:>9.1f}  {notes}")
if not rows:
    print("(no benchmark results)")
EOF
} > "$out_dir/summary.txt"
cat "$out_dir/summary.txt"
echo
echo "logs: $out_dir"
for entry in "${stages[@]}"; do [[ $entry == *"|FAIL|"* ]] && exit 1; done
exit 0
