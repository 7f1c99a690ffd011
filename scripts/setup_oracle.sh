#!/usr/bin/env bash
# Installs the ONNX Runtime test oracle: Node.js + npm (Debian's nodejs and npm packages, only when
# `node`/`npm` are missing), then the pinned onnxruntime-node from tests/oracle/package-lock.json
# into tests/oracle/node_modules. ONNXRUNTIME_NODE_INSTALL=skip skips the package's CUDA download;
# its CPU library is bundled. Idempotent and non-interactive: npm ci runs only when node_modules is
# missing or older than package-lock.json. Runs as root or through sudo (only apt needs it).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
oracle="$repo/tests/oracle"

missing=()
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "setup_oracle: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

stamp="$oracle/node_modules/.package-lock.json"  # npm rewrites it on every install
if [ -d "$oracle/node_modules/onnxruntime-node" ] && [ -f "$stamp" ] &&
   [ ! "$oracle/package-lock.json" -nt "$stamp" ]; then
  echo "setup_oracle: onnxruntime-node up to date in tests/oracle/node_modules"
  exit 0
fi

echo "setup_oracle: npm ci in tests/oracle (onnxruntime-node, CPU only)"
cd "$oracle"
ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund
# Prove the install: load the native binding and print its version.
ORT_DISABLE_TELEMETRY=1 node -e \
  "const ort = require('onnxruntime-node'); console.log('setup_oracle: onnxruntime-node', ort.env.versions.node)"
