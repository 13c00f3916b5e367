#!/usr/bin/env bash
# Fuzzes the OpenAPI front-end for N seconds (default 600): cargo-fuzz target `openapi`
# (fuzz/fuzz_targets/openapi.rs), seeded with fixtures/openapi/ (the committed fuzz corpus
# included). New finds go to fuzz/corpus/openapi, crashes to fuzz/artifacts/openapi.
# Opt-in, not part of scripts/setup.sh; docs/fuzzing.md. Runs on the stable toolchain:
# RUSTC_BOOTSTRAP=1 lets it accept the -Z flags cargo-fuzz passes.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"

# cargo-fuzz, built once per machine into a cache outside the checkout (like sqlx-cli in
# scripts/setup.sh), then copied into .tools.
CARGO_FUZZ_VERSION=0.13.2
cache="${XDG_CACHE_HOME:-$HOME/.cache}/axiomod-tools/cargo-fuzz-$CARGO_FUZZ_VERSION"
mkdir -p .tools/bin
if ! .tools/bin/cargo-fuzz --version 2>/dev/null | grep -qx "cargo-fuzz $CARGO_FUZZ_VERSION"; then
  if ! "$cache/bin/cargo-fuzz" --version 2>/dev/null | grep -qx "cargo-fuzz $CARGO_FUZZ_VERSION"; then
    echo "== installing cargo-fuzz $CARGO_FUZZ_VERSION into $cache"
    cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked --root "$cache"
  fi
  cp "$cache/bin/cargo-fuzz" .tools/bin/cargo-fuzz
fi
export PATH="$PWD/.tools/bin:$PATH"
export RUSTC_BOOTSTRAP=1

# cargo-fuzz has no --locked: check fuzz/Cargo.lock is up to date first.
cargo metadata --locked --format-version 1 --manifest-path fuzz/Cargo.toml >/dev/null
target_dir="${CARGO_TARGET_DIR:-$PWD/target}/fuzz"
mkdir -p fuzz/corpus/openapi
# No sanitizer: the front-end is safe Rust, so a panic is the finding and ASan only slows it.
cargo fuzz run --sanitizer none --target-dir "$target_dir" openapi \
  fuzz/corpus/openapi fixtures/openapi -- \
  -dict=fuzz/openapi.dict -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
  -max_total_time="$seconds" -print_final_stats=1
