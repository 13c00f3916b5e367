#!/usr/bin/env bash
# Installs the tools the test suite uses, into ./.tools (kept between runs on one machine).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .tools/bin
export PATH="$PWD/.tools/bin:$PATH"
