#!/usr/bin/env bash
# Benchmarks `axiomod validate` on a synthetic ~100k-line crate (generate.py) and prints a
# markdown table: cold run (empty parse cache), warm run (nothing changed), the syn
# parse-only floor (examples/validate_parse_floor.rs), and cargo-modules when it is
# installed. Each figure is the median of RUNS runs; memory is the peak resident set size.
#
# Usage: bash bench/validate/run.sh [RUNS]      (default 5)
set -euo pipefail
cd "$(dirname "$0")/../.."
runs="${1:-5}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cargo build --release --quiet --bin axiomod --example validate_parse_floor
target="${CARGO_TARGET_DIR:-target}/release"
python3 bench/validate/generate.py "$work/synthetic"
files=$(find "$work/synthetic/src" -name '*.rs' | wc -l)
lines=$(find "$work/synthetic/src" -name '*.rs' -print0 | xargs -0 cat | wc -l)

median() { sort -n | sed -n "$(((runs + 1) / 2))p"; }

# measure NAME CACHE_MODE COMMAND...: one table row. CACHE_MODE is "cold" (a new, empty
# cache directory for each run), "warm" (one cache directory, filled before the first run),
# "edit" (like warm, with one source file edited before each run) or "none".
measure() {
  local name="$1" mode="$2"
  shift 2
  local times="" cpus="" memories=""
  if [ "$mode" = warm ] || [ "$mode" = edit ]; then
    AXIOMOD_CACHE_DIR="$work/warm" "$@" >/dev/null 2>&1 || true
  fi
  for run in $(seq "$runs"); do
    local cache="$work/warm"
    [ "$mode" = cold ] && cache="$work/cold-$run"
    if [ "$mode" = edit ]; then
      echo "// edit $run" >>"$work/synthetic/src/modules/m000/domain/f0.rs"
    fi
    AXIOMOD_CACHE_DIR="$cache" /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" >/dev/null 2>&1 || true
    # On a non-zero exit, /usr/bin/time writes a line about it before the figures.
    read -r elapsed user system memory < <(tail -n 1 "$work/time")
    times+="$elapsed"$'\n'
    cpus+="$(python3 -c "print(f'{$user + $system:.2f}')")"$'\n'
    memories+="$memory"$'\n'
  done
  printf '| %s | %s | %s | %s |\n' "$name" \
    "$(printf '%s' "$times" | median)" \
    "$(printf '%s' "$cpus" | median)" \
    "$(($(printf '%s' "$memories" | median) / 1024))"
}

echo "Synthetic crate: $files files, $lines lines; $(nproc) cores; median of $runs runs."
echo
echo "| measurement | wall s | CPU s | peak MB |"
echo "|---|---|---|---|"
measure "axiomod validate, cold (empty cache)" cold "$target/axiomod" validate "$work/synthetic" --format json
measure "axiomod validate, warm (nothing changed)" warm "$target/axiomod" validate "$work/synthetic" --format json
measure "axiomod validate, one file edited" edit "$target/axiomod" validate "$work/synthetic" --format json
measure "syn parse only, parallel (the floor)" none "$target/examples/validate_parse_floor" "$work/synthetic"
measure "cargo metadata --no-deps alone" none cargo metadata --no-deps --format-version 1 --manifest-path "$work/synthetic/Cargo.toml"
if command -v cargo-modules >/dev/null 2>&1; then
  measure "cargo-modules dependencies" none cargo modules dependencies --manifest-path "$work/synthetic/Cargo.toml" --bin synthetic
else
  echo "| cargo-modules dependencies | not installed | | |"
fi
