#!/usr/bin/env bash
# Installs what only the benchmarks need, beyond scripts/setup.sh: `time` (/usr/bin/time, peak
# RSS in bench/compare_ort.sh) and, with --torch, Debian's python3-torchvision (pulls
# python3-torch) for bench/make_bench_models.py. Kept out of setup.sh: torch is hundreds of MB the
# tests never use. Idempotent; runs as root or through sudo.
set -euo pipefail
packages=(time)
if [[ "${1:-}" == --torch ]]; then packages+=(python3-torchvision); fi
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
