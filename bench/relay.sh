#!/usr/bin/env bash
# Outbox relay throughput and lag (issue 7's benchmark; goal: >= 20k messages/s to NATS).
#
# Builds axiomod, generates two PostgreSQL services with `axiomod new --broker nats` and
# `--broker rabbitmq` (no schema: the outbox tables come with every service) and builds them in
# release, each with bench/relay-broker/<broker>.rs as an extra binary that makes the stream
# (NATS JetStream, file storage) or the durable queue bound to the exchange (RabbitMQ), so every
# event is stored by the broker as it would be in production. Then, for each broker and for 1
# and 2 `<service> relay` processes:
#   throughput   a fresh database holds MESSAGES unpublished outbox rows spread over AGGREGATES
#                aggregates (inserted straight into axiomod_outbox); the relays start and the
#                time runs until the backlog is 0: messages / (last published_at - start)
#   lag          with the same relays running, RATE messages/s are inserted for STEADY_SECONDS
#                (one insert every 100 ms); the lag of a message is published_at - created_at
#                (published_at is when the relay records the broker's acknowledgement)
# It checks that the broker holds every message, prints a table and appends it to
# docs/benchmarks.md.
#
# Usage: bash bench/relay.sh [--no-record]
#   --no-record   print the results, leave docs/benchmarks.md alone
# Settings (environment): MESSAGES=100000 AGGREGATES=10000 RATE=2000 STEADY_SECONDS=10
#   BROKERS="nats rabbitmq" INSTANCES="1 2" BATCH_SIZE (default: the service's, 500)
#   BENCH_WORK_DIR=target/bench-relay (generated sources), BENCH_TARGET_DIR=target/bench-build
#   (build output, shared with the other benchmarks), DATABASE_SERVER_URL=postgres://postgres@127.0.0.1:5432,
#   NATS_URL=nats://127.0.0.1:4222, AMQP_URL=amqp://guest:guest@127.0.0.1:5672/%2f
# Prerequisites: Rust, psql, PostgreSQL, NATS with JetStream, RabbitMQ.
#
# Everything it makes (database, stream, queue and exchange, relay processes) is removed when
# it ends, for any reason.
set -Eeuo pipefail
trap 'echo "error: bench/relay.sh stopped at line $LINENO" >&2' ERR
export PGOPTIONS="--client-min-messages=warning"

# shellcheck source=bench/lib/wrk.sh
source "$(dirname "$0")/lib/wrk.sh"

messages="${MESSAGES:-100000}"
aggregates="${AGGREGATES:-10000}"
rate="${RATE:-2000}"
steady_seconds="${STEADY_SECONDS:-10}"
brokers="${BROKERS:-nats rabbitmq}"
instances="${INSTANCES:-1 2}"
server_url="${DATABASE_SERVER_URL:-postgres://postgres@127.0.0.1:5432}"
nats_url="${NATS_URL:-nats://127.0.0.1:4222}"
amqp_url="${AMQP_URL:-amqp://guest:guest@127.0.0.1:5672/%2f}"

record=1
case "${1:-}" in
  "") ;;
  --no-record) record=0 ;;
  -h | --help)
    sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  *) fail "unknown argument '$1' (try --help)" ;;
esac
for setting in messages aggregates rate steady_seconds; do
  [[ "${!setting}" =~ ^[1-9][0-9]*$ ]] ||
    fail "${setting^^} must be a positive whole number, not '${!setting}'"
done
require_postgres "$server_url"

cd "$(dirname "$0")/.."
repo="$PWD"
work="${BENCH_WORK_DIR:-$repo/target/bench-relay}"
bench_target="${BENCH_TARGET_DIR:-$repo/target/bench-build}"
mkdir -p "$work"
work="$(cd "$work" && pwd)"

axiomod="$(axiomod_binary)"

for broker in $brokers; do
  case "$broker" in
    nats | rabbitmq) ;;
    *) fail "BROKERS may name nats and rabbitmq, not '$broker'" ;;
  esac
  service="$work/benchrelay-$broker"
  echo "== generating a Postgres service with --broker $broker into $service"
  # A fresh copy every run, so the benchmark measures the templates as they are now.
  rm -rf "$service"
  "$axiomod" new "benchrelay-$broker" --db postgres --broker "$broker" --yes --path "$service" >/dev/null
  mkdir -p "$service/src/bin"
  cp "$repo/bench/relay-broker/$broker.rs" "$service/src/bin/relay-broker.rs"
  echo "== building it (release, CARGO_TARGET_DIR=$bench_target)"
  (cd "$service" && CARGO_TARGET_DIR="$bench_target" cargo build --quiet --release --bins)
  # Both services are named after their broker, so their binaries do not collide.
  cp "$bench_target/release/relay-broker" "$work/relay-broker-$broker"
done

# ---------------------------------------------------------------------------------------------
# Everything started or made here is removed by `cleanup`.
run="$$"
database="axiomod_bench_relay_$run"
database_url="$server_url/$database"
subject_prefix="benchrelay$run"
stream="AXIOMOD_BENCH_RELAY_$run"
exchange="axiomod-bench-relay-$run"
queue="axiomod-bench-relay-$run"
relay_pids=()
made=()

broker_url() { if [ "$1" = nats ]; then echo "$nats_url"; else echo "$amqp_url"; fi; }
broker_tool() { # broker, arguments...
  local broker="$1"
  shift
  BROKER_URL="$(broker_url "$broker")" "$work/relay-broker-$broker" "$@"
}
stop_relays() {
  local pid
  for pid in "${relay_pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${relay_pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  relay_pids=()
}
cleanup() {
  stop_relays
  local broker
  for broker in "${made[@]}"; do
    if [ "$broker" = nats ]; then
      broker_tool nats teardown "$stream" || echo "warning: could not delete the stream $stream" >&2
    else
      broker_tool rabbitmq teardown "$exchange" "$queue" ||
        echo "warning: could not delete the queue $queue and exchange $exchange" >&2
    fi
  done
  psql "$server_url/postgres" --quiet --command "DROP DATABASE IF EXISTS $database WITH (FORCE)" \
    >/dev/null 2>&1 || echo "warning: could not drop the database $database" >&2
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

sql() { psql "$database_url" --quiet --tuples-only --no-align -v ON_ERROR_STOP=1 --command "$1"; }

# A database with the service's migrations applied and nothing in it.
fresh_database() { # broker
  psql "$server_url/postgres" --quiet --command "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null
  psql "$server_url/postgres" --quiet --command "CREATE DATABASE $database" >/dev/null
  DATABASE_URL="$database_url" "$bench_target/release/benchrelay-$1" migrate >"$work/migrate.log" 2>&1 ||
    fail "benchrelay-$1 migrate failed on $database_url; its output is in $work/migrate.log"
  sql "CREATE SEQUENCE bench_ids" >/dev/null
}

# Inserts $1 messages spread over the aggregates. Ids grow with each row, like the UUID v7 of
# `enqueue`, so id order is each aggregate's event order.
insert_messages() { # count
  sql "INSERT INTO axiomod_outbox (id, aggregate_type, aggregate_id, event_type, payload, headers, created_at, next_attempt_at)
    SELECT lpad(to_hex(nextval('bench_ids')), 32, '0')::uuid, 'bench.item', (n % $aggregates)::text,
      '$subject_prefix.item.created',
      jsonb_build_object('n', n, 'name', 'item ' || n, 'note', repeat('x', 200)),
      jsonb_build_object('request_id', 'request-' || n, 'event_type', '$subject_prefix.item.created',
        'aggregate_type', 'bench.item', 'aggregate_id', (n % $aggregates)::text),
      clock_timestamp(), clock_timestamp()
    FROM generate_series(1, $1) AS n" >/dev/null
}

start_relays() { # broker, count
  local number
  for number in $(seq 1 "$2"); do
    env -u RUST_LOG DATABASE_URL="$database_url" BROKER_URL="$(broker_url "$1")" LOG_FORMAT=json \
      RUST_LOG=warn APP_RELAY__EXCHANGE="$exchange" APP_RELAY__DLQ_CAPTURE_STREAM=false \
      ${BATCH_SIZE:+APP_RELAY__BATCH_SIZE=$BATCH_SIZE} \
      "$bench_target/release/benchrelay-$1" relay >"$work/relay-$1-$number.log" 2>&1 &
    relay_pids+=("$!")
  done
}

# Waits until nothing is left to publish; fails when a relay stops or nothing moves for 60 s.
wait_for_empty_backlog() { # broker
  local left previous="" still=0 pid
  while :; do
    left="$(sql "SELECT count(*) FROM axiomod_outbox WHERE published_at IS NULL")"
    [ "$left" = 0 ] && return 0
    for pid in "${relay_pids[@]}"; do
      kill -0 "$pid" 2>/dev/null || fail "a $1 relay stopped; its log is in $work/relay-$1-*.log"
    done
    if [ "$left" = "$previous" ]; then
      still=$((still + 1))
      [ "$still" -lt 600 ] || fail "the $1 backlog stays at $left; relay logs: $work/relay-$1-*.log"
    else
      still=0
    fi
    previous="$left"
    sleep 0.1
  done
}

results="$work/results.tsv"
: >"$results"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
echo "== measuring (load average $load_before)"
for broker in $brokers; do
  for count in $instances; do
    fresh_database "$broker"
    made+=("$broker")
    if [ "$broker" = nats ]; then
      broker_tool nats setup "$stream" "$subject_prefix.>"
    else
      broker_tool rabbitmq setup "$exchange" "$queue"
    fi
    insert_messages "$messages"
    sql "VACUUM ANALYZE axiomod_outbox" >/dev/null
    started="$(sql "SELECT extract(epoch FROM clock_timestamp())")"
    start_relays "$broker" "$count"
    wait_for_empty_backlog "$broker"
    throughput="$(sql "SELECT round($messages / extract(epoch FROM max(published_at) - to_timestamp($started)))
      FROM axiomod_outbox")"

    # Steady load: RATE messages/s for STEADY_SECONDS, one transaction every 100 ms.
    sql "TRUNCATE axiomod_outbox" >/dev/null
    sql "DO \$\$ BEGIN
      FOR tick IN 1..$((steady_seconds * 10)) LOOP
        INSERT INTO axiomod_outbox (id, aggregate_type, aggregate_id, event_type, payload, headers, created_at)
        SELECT lpad(to_hex(nextval('bench_ids')), 32, '0')::uuid, 'bench.item', (n % $aggregates)::text,
          '$subject_prefix.item.created', jsonb_build_object('n', n), '{}', clock_timestamp()
        FROM generate_series(1, $((rate / 10))) AS n;
        COMMIT;
        PERFORM pg_sleep(0.1);
      END LOOP; END \$\$" >/dev/null
    wait_for_empty_backlog "$broker"
    lag="$(sql "SELECT round(1000 * extract(epoch FROM percentile_cont(0.5) WITHIN GROUP (ORDER BY published_at - created_at)))
      || ' ' || round(1000 * extract(epoch FROM percentile_cont(0.99) WITHIN GROUP (ORDER BY published_at - created_at)))
      FROM axiomod_outbox")"
    stop_relays

    expected=$((messages + steady_seconds * 10 * (rate / 10)))
    if [ "$broker" = nats ]; then
      stored="$(broker_tool nats count "$stream")"
      broker_tool nats teardown "$stream"
    else
      stored="$(broker_tool rabbitmq count "$queue")"
      broker_tool rabbitmq teardown "$exchange" "$queue"
    fi
    made=()
    [ "$stored" = "$expected" ] || fail "$broker holds $stored messages, expected $expected"
    printf '%s\t%s\t%s\t%s\n' "$broker" "$count" "$throughput" "$lag" >>"$results"
    printf '   %-8s %s relay(s): %6s messages/s, lag p50/p99 %s ms\n' "$broker" "$count" \
      "$throughput" "${lag/ //}"
  done
done
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------------------------------------
nats_best="$(awk -F'\t' '$1 == "nats" && $3 > best { best = $3 } END { print best + 0 }' "$results")"
if [ "$nats_best" -ge 20000 ]; then
  verdict="met: $nats_best messages/s to NATS"
elif grep -q '^nats' "$results"; then
  verdict="NOT met: at most $nats_best messages/s to NATS"
else
  verdict="not measured (NATS was not in BROKERS)"
fi
table="$(
  echo "| broker | relays | throughput (messages/s) | lag p50 (ms) | lag p99 (ms) |"
  echo "|---|---|---|---|---|"
  awk -F'\t' '{ split($4, lag, " "); printf "| %s | %s | %s | %s | %s |\n", $1, $2, $3, lag[1], lag[2] }' "$results"
)"
report="
### $(date -u '+%Y-%m-%d %H:%M UTC')

- command: \`bash bench/relay.sh\` (MESSAGES=$messages AGGREGATES=$aggregates RATE=$rate
  STEADY_SECONDS=$steady_seconds, batch size ${BATCH_SIZE:-500}); release build
- machine: $(machine_description); PostgreSQL, NATS and RabbitMQ on the same machine
- load average (1, 5, 15 min): $load_before before, $load_after after

$table

Goal (>= 20 000 messages/s to NATS): $verdict.
"
echo "$report"
if [ "$record" = 1 ]; then
  record_entry "$repo/docs/benchmarks.md" "Outbox relay runs" \
    "<!-- relay results: bench/relay.sh adds each run below this line -->" "$report"
  echo "== results added to docs/benchmarks.md"
fi
