#!/usr/bin/env bash
# The whole test suite, exactly as CI runs it (.ci/run calls this script).
# Installs what the tests need from the project's own files, then runs format, lint and tests.
# Tests that need PostgreSQL, MariaDB, RabbitMQ or NATS read their URL from the environment
# (defaults: the localhost services) and skip loudly when unreachable, except under CI=true.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

# The suite builds many generated projects; a full disk shows up as odd link and database
# errors, so say up front how much room there is.
free_kib=$(df -Pk . | awk 'NR == 2 { print $4 }')
echo "== free disk space: $(( free_kib / 1024 / 1024 )) GiB"
if [ "$free_kib" -lt $(( 15 * 1024 * 1024 )) ]; then
  echo "warning: under 15 GiB free; the end-to-end tests may fail to link or to write to the databases" >&2
fi

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --all-targets --locked -- -D warnings
echo "== tests"
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --locked --no-fail-fast
  # nextest does not run doctests
  cargo test --locked --doc
else
  cargo test --locked --no-fail-fast
fi
