#!/usr/bin/env bash
# Benchmark: `axiomod generate scaffold` (load, render and write) of one 50-entity schema into
# a fresh `axiomod new` project, per round on a new copy of the project. Prints each round and
# the median. Goal (issue 4): under 1 s. Results go to docs/benchmarks.md by hand, with the
# machine described.
#
# Usage: bash bench/scaffold.sh [rounds] [entities]
# Environment: AXIOMOD (default: target/release/axiomod, built if missing).
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${1:-5}
ENTITIES=${2:-50}
if [[ -z "${AXIOMOD:-}" ]]; then
  cargo build --release --quiet
  AXIOMOD="${CARGO_TARGET_DIR:-target}/release/axiomod"
fi
AXIOMOD=$(realpath "$AXIOMOD")

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# Every field type and constraint kind, a reference to the entity before, an enum.
{
  echo 'module = "bench"'
  for index in $(seq 1 "$ENTITIES"); do
    echo
    echo "[entities.Item$index.fields]"
    echo 'code = { type = "string", max_length = 40, unique = true }'
    echo 'title = { type = "string", min_length = 1, max_length = 200, indexed = true }'
    echo 'body = { type = "text", optional = true }'
    echo 'amount = { type = "decimal", min = 0 }'
    echo 'count = { type = "i32", min = 0, max = 1000, default = 0 }'
    echo 'ratio = { type = "f64", optional = true }'
    echo 'active = { type = "bool", default = true }'
    echo 'state = { type = "enum", values = ["new", "open", "closed"], default = "new" }'
    echo 'due = { type = "date", optional = true }'
    echo 'data = { type = "json", optional = true }'
    if (( index > 1 )); then
      echo "parent_id = { type = \"ref\", entity = \"Item$((index - 1))\", optional = true }"
    fi
  done
} > "$WORK/bench.toml"

"$AXIOMOD" new template --yes --db sqlite --path "$WORK/template" > /dev/null
times=()
for round in $(seq 1 "$ROUNDS"); do
  rm -rf "$WORK/project"
  cp -r "$WORK/template" "$WORK/project"
  start=$(date +%s%N)
  "$AXIOMOD" generate scaffold "$WORK/bench.toml" --project "$WORK/project" > /dev/null
  end=$(date +%s%N)
  milliseconds=$(( (end - start) / 1000000 ))
  times+=("$milliseconds")
  echo "round $round: $milliseconds ms ($(find "$WORK/project/src/modules/bench" -name '*.rs' | wc -l) files in the module)"
done
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (ROUNDS + 1) / 2 ))p")
echo "median over $ROUNDS rounds: $median ms for $ENTITIES entities (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
