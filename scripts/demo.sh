#!/usr/bin/env bash
# The main job on the embedded default: build axiomod, generate a service on SQLite with the
# example schema's entities (schemas/examples/shop.toml) and serve it on localhost.
# Usage: bash scripts/demo.sh [FOLDER] (default: target/demo/shop).
# Stop it with Ctrl-C (it drains in-flight requests and exits).
set -euo pipefail
cd "$(dirname "$0")/.."

folder="${1:-target/demo/shop}"
port="${PORT:-8080}"

axiomod() { cargo run --quiet --release --bin axiomod -- "$@"; }
if [ -e "$folder/.axiomod/manifest.toml" ]; then
  echo "== reusing the service already generated in $folder"
else
  axiomod new shop --db sqlite --yes --path "$folder"
fi
# Re-running is a no-op once the module is generated.
axiomod generate scaffold schemas/examples/shop.toml --project "$folder"

repo="$PWD"
cd "$folder"
echo "== building and starting the service on http://localhost:$port (Ctrl-C stops it)"
echo "   try: curl localhost:$port/api/v1/customers -H 'content-type: application/json' \\"
echo "          -d '{\"email\": \"ada@example.com\", \"name\": \"Ada\"}'"
echo "        curl localhost:$port/api/v1/customers      curl localhost:$port/health      open localhost:$port/docs"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$repo/target/demo-build}"
PORT="$port" MIGRATE_ON_START=true LOG_FORMAT=pretty exec cargo run --quiet -- serve
