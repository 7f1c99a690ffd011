#!/usr/bin/env bash
# Installs what only the benchmarks need, beyond scripts/setup.sh: `time` (/usr/bin/time, peak
# RSS in bench/compare_ort.sh). Debian's torch for bench/make_bench_models.py comes with
# scripts/setup.sh (the model-family tests use it too). Idempotent; runs as root or through sudo.
set -euo pipefail
packages=(time)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "setup_bench: installing ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
