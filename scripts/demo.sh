#!/usr/bin/env bash
# The main job on the embedded default: build axiomod, generate a service on SQLite and serve
# it on localhost. Usage: bash scripts/demo.sh [FOLDER] (default: target/demo/shop).
# Stop it with Ctrl-C (it drains in-flight requests and exits).
set -euo pipefail
cd "$(dirname "$0")/.."

folder="${1:-target/demo/shop}"
port="${PORT:-8080}"

cargo build --quiet --release --bin axiomod
if [ -e "$folder/.axiomod/manifest.toml" ]; then
  echo "== reusing the service already generated in $folder"
else
  ./target/release/axiomod new shop --db sqlite --yes --path "$folder"
fi

cd "$folder"
echo "== building and starting the service on http://localhost:$port (Ctrl-C stops it)"
echo "   try: curl localhost:$port/health   curl localhost:$port/openapi.json   open localhost:$port/docs"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$OLDPWD/target/demo-build}"
PORT="$port" MIGRATE_ON_START=true LOG_FORMAT=pretty exec cargo run --quiet -- serve
