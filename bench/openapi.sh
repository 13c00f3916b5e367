#!/usr/bin/env bash
# Benchmark of `generate scaffold --openapi` on a large spec (issue 8's benchmark; goal: parse +
# plan under 1 s). bench/openapi-spec.py writes a spec of RESOURCES resources (five operations
# each: 400 give 2,000 resource operations, plus one non-resource operation each), then:
#   front end   examples/openapi_front_end.rs: spec → entity schema → validated model, in process
#   dry run     `axiomod generate scaffold --openapi SPEC --dry-run` in a fresh SQLite project:
#               the front end plus rendering every file and the plan (a dry run runs rustfmt
#               only on files already on disk, which it compares: here the few project files)
# Results are printed; copy them into docs/benchmarks.md with the machine described.
#
# Usage: bash bench/openapi.sh
# Environment: RESOURCES=400 ROUNDS=5 (front end), DRY_RUN_RESOURCES=40 DRY_RUN_ROUNDS=3 (dry runs
# of DRY_RUN_RESOURCES and of RESOURCES resources)
# Prerequisites: Rust, python3.
set -Eeuo pipefail
trap 'echo "error: bench/openapi.sh stopped at line $LINENO" >&2' ERR
cd "$(dirname "$0")/.."

resources="${RESOURCES:-400}"
rounds="${ROUNDS:-5}"
dry_run_resources="${DRY_RUN_RESOURCES:-40}"
dry_run_rounds="${DRY_RUN_ROUNDS:-3}"
target="${CARGO_TARGET_DIR:-target}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --release --quiet --bin axiomod --example openapi_front_end
axiomod="$target/release/axiomod"

python3 bench/openapi-spec.py "$resources" > "$work/spec.json"
operations=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sum(len([m for m in p if m != "parameters"]) for p in d["paths"].values()))' "$work/spec.json")
echo "spec: $resources resources, $operations operations, $(wc -c < "$work/spec.json") bytes"
echo -n "front end: "
"$target/release/examples/openapi_front_end" "$work/spec.json" "$rounds"

"$axiomod" new shop --yes --db sqlite --path "$work/shop" > /dev/null
for count in "$dry_run_resources" "$resources"; do
  python3 bench/openapi-spec.py "$count" > "$work/dry-run.json"
  times=()
  for _ in $(seq 1 "$dry_run_rounds"); do
    started=$(date +%s%N)
    "$axiomod" generate scaffold --openapi "$work/dry-run.json" --module bench \
      --project "$work/shop" --dry-run > /dev/null 2>&1
    times+=($(( ($(date +%s%N) - started) / 1000000 )))
  done
  sorted=$(printf '%s\n' "${times[@]}" | sort -n | tr '\n' ' ')
  echo "dry run, $count resources ($(( count * 5 )) resource operations): ms per run (sorted) $sorted"
done
