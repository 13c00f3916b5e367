#!/usr/bin/env bash
# Benchmark: `axiomod dlq replay` moving dead letters back into the outbox on PostgreSQL,
# batched (one transaction per --batch-size messages) vs the per-row baseline (--batch-size 1).
# Each run gets a fresh database with the outbox tables of a generated service and N dead
# letters; the time is the whole command (connect, count, every batch, audit rows).
# Results go to docs/benchmarks.md by hand, with the machine described.
#
# Usage: bash bench/dlq-replay.sh [batched-count] [per-row-count] [batch-size]
#        (defaults 100000 10000 5000; needs psql and PostgreSQL)
# Environment: AXIOMOD_BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432),
#              AXIOMOD (default: the release build, built if missing).
set -euo pipefail
export PGOPTIONS="--client-min-messages=warning"
cd "$(dirname "$0")/.."

BATCHED=${1:-100000}
PER_ROW=${2:-10000}
BATCH_SIZE=${3:-5000}
SERVER=${AXIOMOD_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432}
if [[ -z "${AXIOMOD:-}" ]]; then
  cargo build --release --quiet
  AXIOMOD="${CARGO_TARGET_DIR:-target}/release/axiomod"
fi
AXIOMOD=$(realpath "$AXIOMOD")
DATABASE="axiomod_bench_dlq_$$"
cleanup() { psql "$SERVER/postgres" -qc "DROP DATABASE IF EXISTS $DATABASE WITH (FORCE)" >/dev/null; }
trap cleanup EXIT

# The PostgreSQL branch of the service template's first migration.
OUTBOX_SQL=$(sed -n '/^{% if project.db == "postgres" -%}$/,/^{%- else -%}$/p' \
  templates/new/migrations/__version___axiomod_outbox.up.sql.tera | sed '1d;$d')

fresh_database() { # count
  cleanup
  psql "$SERVER/postgres" -qc "CREATE DATABASE $DATABASE" >/dev/null
  psql "$SERVER/$DATABASE" -q -v ON_ERROR_STOP=1 -c "$OUTBOX_SQL" >/dev/null
  psql "$SERVER/$DATABASE" -q -v ON_ERROR_STOP=1 -c "
    INSERT INTO axiomod_dead_letters (id, aggregate_type, aggregate_id, event_type, payload,
      headers, created_at, attempts, last_error, failed_at)
    SELECT gen_random_uuid(), 'order', 'order-' || (i % 1000), 'orders.order.created',
      jsonb_build_object('id', i, 'total', 42, 'note', repeat('x', 200)),
      jsonb_build_object('request_id', 'request-' || i, 'event_type', 'orders.order.created',
        'aggregate_type', 'order', 'aggregate_id', 'order-' || (i % 1000)),
      now() - interval '1 hour', 8, 'publish failed: connection refused',
      now() - interval '5 minutes' + i * interval '1 millisecond'
    FROM generate_series(1, $1) AS i" >/dev/null
  psql "$SERVER/$DATABASE" -qc "VACUUM ANALYZE" >/dev/null
}

replay() { # count batch-size
  fresh_database "$1"
  local started ended moved
  started=$(date +%s.%N)
  "$AXIOMOD" dlq replay --yes --batch-size "$2" --database-url "$SERVER/$DATABASE" >/dev/null
  ended=$(date +%s.%N)
  moved=$(psql "$SERVER/$DATABASE" -tAc "SELECT count(*) FROM axiomod_outbox")
  [[ "$moved" == "$1" ]] || { echo "only $moved of $1 moved" >&2; exit 1; }
  awk -v count="$1" -v size="$2" -v started="$started" -v ended="$ended" 'BEGIN {
    seconds = ended - started
    printf "%-9s batch %-5s %7d messages in %6.2f s = %8.0f messages/s\n",
      (size == 1 ? "per-row" : "batched"), size, count, seconds, count / seconds }'
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
replay "$BATCHED" "$BATCH_SIZE"
replay "$PER_ROW" 1
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
