#!/usr/bin/env bash
# Benchmark: `axiomod migrate up` vs `sqlx migrate run` (sqlx-cli 0.8.6) applying the same 500
# small migrations to fresh databases on the same PostgreSQL, alternating the two tools, then
# `axiomod migrate status` vs `sqlx migrate info` on 500 applied migrations.
# Results go to docs/benchmarks.md by hand, with the machine described.
#
# Usage: bash bench/migrate.sh [rounds]      (needs psql, PostgreSQL, and scripts/setup.sh run)
# Environment: AXIOMOD_BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432),
#              AXIOMOD (default: target/release/axiomod, built if missing).
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${1:-5}
SERVER=${AXIOMOD_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432}
SQLX=.tools/bin/sqlx
if [[ -z "${AXIOMOD:-}" ]]; then
  cargo build --release --quiet
  AXIOMOD="${CARGO_TARGET_DIR:-target}/release/axiomod"
fi
[[ -x "$SQLX" ]] || { echo "sqlx-cli missing: run bash scripts/setup.sh" >&2; exit 2; }
SQLX=$(realpath "$SQLX")
AXIOMOD=$(realpath "$AXIOMOD")

WORK=$(mktemp -d)
DATABASES=()
cleanup() {
  for database in "${DATABASES[@]}"; do
    psql "$SERVER/postgres" -qc "DROP DATABASE IF EXISTS \"$database\" WITH (FORCE)" >/dev/null
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

mkdir "$WORK/migrations"
for version in $(seq 1 500); do
  printf 'CREATE TABLE t%d (id BIGINT PRIMARY KEY, name TEXT NOT NULL);\nINSERT INTO t%d VALUES (1, %s);\n' \
    "$version" "$version" "'row'" > "$WORK/migrations/${version}_table_${version}.sql"
done

fresh_database() {
  local name="axiomod_bench_$$_$1"
  psql "$SERVER/postgres" -qc "CREATE DATABASE \"$name\"" >/dev/null
  DATABASES+=("$name")
  echo "$SERVER/$name"
}

# Seconds (with milliseconds) one command takes.
seconds() {
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}

# Mean seconds of 20 runs of a quick command (one run is too short to time alone).
mean_of_20() {
  local start end
  start=$(date +%s.%N)
  for _ in $(seq 1 20); do "$@" >/dev/null; done
  end=$(date +%s.%N)
  echo "($end - $start) / 20" | bc -l
}

median() { sort -g | awk '{ values[NR] = $1 } END { printf "%.3f", values[int((NR + 1) / 2)] }'; }

cd "$WORK"
: > up.sqlx; : > up.axiomod; : > status.sqlx; : > status.axiomod
for round in $(seq 1 "$ROUNDS"); do
  sqlx_url=$(fresh_database "sqlx_$round")
  axiomod_url=$(fresh_database "axiomod_$round")
  # Alternate which tool goes first, so neither always gets the warmer server.
  if (( round % 2 )); then
    seconds "$SQLX" migrate run --database-url "$sqlx_url" >> up.sqlx
    seconds "$AXIOMOD" migrate up --database-url "$axiomod_url" >> up.axiomod
  else
    seconds "$AXIOMOD" migrate up --database-url "$axiomod_url" >> up.axiomod
    seconds "$SQLX" migrate run --database-url "$sqlx_url" >> up.sqlx
  fi
  mean_of_20 "$SQLX" migrate info --database-url "$sqlx_url" >> status.sqlx
  mean_of_20 "$AXIOMOD" migrate status --database-url "$axiomod_url" >> status.axiomod
done

echo "500 migrations, $ROUNDS rounds, median seconds (status/info: mean of 20 runs per round)"
printf '%-40s %s\n' "sqlx migrate run" "$(median < up.sqlx)"
printf '%-40s %s\n' "axiomod migrate up" "$(median < up.axiomod)"
printf '%-40s %s\n' "sqlx migrate info (500 applied)" "$(median < status.sqlx)"
printf '%-40s %s\n' "axiomod migrate status (500 applied)" "$(median < status.axiomod)"
