#!/usr/bin/env bash
# scripts/gpu_bundle.sh BUILD_DIR OUT_DIR: packs the CUDA test suite and gpu_bench of a CUDA build
# with every shared library they load into OUT_DIR/bundle.tar.xz, for a GPU machine that has the
# CUDA libraries but none of our dev packages (oneDNN, protobuf, libonnx, fmt, gtest).
# bench/gpu_check.sh --bundle OUT_DIR unpacks and runs it.
#
# Left out: glibc's own libraries (the machine's must be used) and the CUDA libraries the GPU
# machine brings (cuBLAS, cuBLASLt, cuDNN, cudart, the driver's libcuda). libstdc++ and libgcc_s
# go to lib/compat/, which gpu_check.sh uses only when the machine's are missing or too old.
# Archive layout: bin/{cuda_tests,gpu_bench}, lib/, lib/compat/, MANIFEST.txt (git revision,
# libraries, the newest GLIBC symbol version the files need).
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 BUILD_DIR OUT_DIR" >&2
  exit 2
fi
build_dir=$(cd "$1" && pwd)
out_dir=$2
repo_dir=$(cd "$(dirname "$0")/.." && pwd)
max_mib=45
binaries=("$build_dir/tests/cuda_tests" "$build_dir/bench/gpu_bench")
for binary in "${binaries[@]}"; do
  if [[ ! -x $binary ]]; then
    echo "gpu_bundle: $binary is missing; build it first (cmake --build $1 --target cuda_tests gpu_bench)" >&2
    exit 1
  fi
done

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/lib/compat"
cp "${binaries[@]}" "$stage/bin/"

# glibc (the loader must match the machine's libc) and the GPU machine's CUDA libraries.
glibc_re='linux-vdso|libc\.so|libm\.so|libdl\.so|librt\.so|libpthread\.so|ld-linux|libresolv\.so'
skip_re="^($glibc_re|libcublas|libcublasLt|libcudnn|libcudart|libcuda\.so)"
compat_re='^(libstdc\+\+\.so|libgcc_s\.so)'
declare -A bundled=() skipped=()
missing=()
while read -r name path; do
  if [[ $name =~ $skip_re ]]; then
    skipped[$name]=1
  elif [[ $path == "not" ]]; then
    missing+=("$name")
  elif [[ $name =~ $compat_re ]]; then
    cp -L "$path" "$stage/lib/compat/$name"
    bundled[$name]="compat/$name <- $path"
  else
    cp -L "$path" "$stage/lib/$name"
    bundled[$name]="$name <- $path"
  fi
done < <(ldd "${binaries[@]}" | awk '$2 == "=>" {print $1, $3}' | sort -u)
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "gpu_bundle: libraries not found here (ldd): ${missing[*]}" >&2
  exit 1
fi
strip --strip-unneeded "$stage"/lib/*.so* "$stage"/lib/compat/*.so* 2>/dev/null || true

# newest_glibc FILE...: the newest GLIBC_x.y symbol version the files import.
newest_glibc() { objdump -T "$@" 2>/dev/null | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1; }
glibc_needed=$(newest_glibc "$stage"/bin/* "$stage"/lib/*.so*)
glibc_compat=$(newest_glibc "$stage"/lib/compat/*.so*)
{
  echo "flowonnx GPU bundle"
  echo "git revision: $(git -C "$repo_dir" rev-parse HEAD 2>/dev/null || echo unknown)$(
    git -C "$repo_dir" diff --quiet HEAD 2>/dev/null || echo ' (+ uncommitted changes)')"
  echo "built from: $build_dir on $(hostname) at $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "build glibc: $(ldd --version | head -1)"
  echo "newest glibc symbol version needed: ${glibc_needed:-?} (lib/compat: ${glibc_compat:-?})"
  echo "needs on the GPU machine: $(printf '%s ' "${!skipped[@]}" | tr ' ' '\n' | grep -v '^$' | sort | tr '\n' ' ')"
  echo
  echo "files:"
  (cd "$stage" && find . -type f ! -name MANIFEST.txt -printf '  %p %s bytes\n' | sort)
  echo
  echo "libraries (bundled name <- source):"
  for name in "${!bundled[@]}"; do echo "  ${bundled[$name]}"; done | sort
} > "$stage/MANIFEST.txt"

mkdir -p "$out_dir"
rm -f "$out_dir/bundle.tar.xz"
tar -C "$stage" -cf - . | xz -9 -T0 > "$out_dir/bundle.tar.xz"
bytes=$(stat -c %s "$out_dir/bundle.tar.xz")
mib=$(awk -v b="$bytes" 'BEGIN {printf "%.1f", b / 1048576}')
echo "gpu_bundle: $out_dir/bundle.tar.xz: $mib MiB ($bytes bytes), ${#bundled[@]} libraries," \
  "glibc >= ${glibc_needed#GLIBC_} needed"
if (( bytes >= max_mib * 1048576 )); then
  echo "gpu_bundle: the bundle is over $max_mib MiB" >&2
  exit 1
fi
