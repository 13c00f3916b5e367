#!/usr/bin/env bash
# What a generated service costs on a route that reads one row (issue 4's benchmark).
#
# Builds axiomod, generates a Postgres service with `axiomod new` and `axiomod generate scaffold
# schemas/examples/shop.toml`, and builds it in release together with the hand-written baseline
# bench/handwritten-get/main.rs (plain axum + sqlx, the same query and JSON body, no middleware),
# compiled as an extra binary of the generated package so that both link the same dependency
# builds. Creates a fresh database, applies the migrations, seeds customers through the
# generated API, then measures GET /api/v1/customers/{id} (cycling through the seeded ids) with
# wrk on:
#   hand-written         plain axum + sqlx handler
#   generated, default   LOG_FORMAT=json, RUST_LOG unset: every middleware, a log line a request
#   generated, warn      LOG_FORMAT=json, RUST_LOG=warn: the same stack without request logs
# in alternating rounds, and reports the median requests/s, p99 latency and server CPU per
# request of each, with the generated service's throughput against the hand-written one (goal:
# at least 95 %). The results are appended to docs/benchmarks.md.
#
# Usage: bash bench/get-by-id.sh [--no-record]
#   --no-record   print the results, leave docs/benchmarks.md alone
# Settings (environment): ROUNDS=5 DURATION=10s WARMUP=3s THREADS=2 CONNECTIONS=64 ROWS=500
#   BASE_PORT=18090 (three ports from it), BENCH_WORK_DIR=target/bench-get (generated sources),
#   BENCH_TARGET_DIR=target/bench-build (build output, shared with bench/http-overhead.sh),
#   DATABASE_SERVER_URL=postgres://postgres@127.0.0.1:5432 (a server where this user may create
#   and drop a database).
# Prerequisites: Rust, curl, psql, a PostgreSQL server, and wrk (installed with apt-get when
#   missing; see docs/benchmarks.md).
#
# The servers listen on 127.0.0.1 (the generated one on 0.0.0.0, as it is deployed) while the
# script runs; it stops them and drops its database when it ends, for any reason.
set -Eeuo pipefail
trap 'echo "error: bench/get-by-id.sh stopped at line $LINENO" >&2' ERR

rounds="${ROUNDS:-5}"
duration="${DURATION:-10s}"
warmup="${WARMUP:-3s}"
threads="${THREADS:-2}"
connections="${CONNECTIONS:-64}"
rows="${ROWS:-500}"
base_port="${BASE_PORT:-18090}"
server_url="${DATABASE_SERVER_URL:-postgres://postgres@127.0.0.1:5432}"
wrk_options=(-t"$threads" -c"$connections" -d"$duration" --latency)

# shellcheck source=bench/lib/wrk.sh
source "$(dirname "$0")/lib/wrk.sh"

record=1
case "${1:-}" in
  "") ;;
  --no-record) record=0 ;;
  -h | --help)
    sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  *) fail "unknown argument '$1' (try --help)" ;;
esac
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || fail "ROUNDS must be a positive whole number, not '$rounds'"
[[ "$rows" =~ ^[1-9][0-9]*$ ]] || fail "ROWS must be a positive whole number, not '$rows'"
command -v curl >/dev/null 2>&1 || fail "curl is missing: install it, then run this again"
require_postgres "$server_url"
ensure_wrk

cd "$(dirname "$0")/.."
repo="$PWD"
work="${BENCH_WORK_DIR:-$repo/target/bench-get}"
bench_target="${BENCH_TARGET_DIR:-$repo/target/bench-build}"
mkdir -p "$work"
work="$(cd "$work" && pwd)"

axiomod="$(axiomod_binary)"

service="$work/benchshop"
echo "== generating a Postgres service with the shop schema into $service"
# A fresh copy every run, so the benchmark measures the templates as they are now.
rm -rf "$service"
"$axiomod" new benchshop --db postgres --yes --path "$service" >/dev/null
"$axiomod" generate scaffold "$repo/schemas/examples/shop.toml" --project "$service" >/dev/null
mkdir -p "$service/src/bin"
cp "$repo/bench/handwritten-get/main.rs" "$service/src/bin/handwritten-get.rs"

echo "== building both (release, CARGO_TARGET_DIR=$bench_target)"
(cd "$service" && CARGO_TARGET_DIR="$bench_target" cargo build --quiet --release --bins)
versions=""
for package in axum hyper tokio sqlx serde_json; do
  versions+="${versions:+, }$package $(lock_version "$service/Cargo.lock" "$package")"
done

# ---------------------------------------------------------------------------------------------
# Database and servers; everything started here is stopped by `cleanup`.
database="axiomod_bench_get_$$"
database_url="$server_url/$database"
pids=()
client_pid=""
cleanup() {
  local pid
  for pid in $client_pid "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  psql "$server_url/postgres" --quiet --command "DROP DATABASE IF EXISTS $database WITH (FORCE)" \
    >/dev/null 2>&1 || echo "warning: could not drop the database $database" >&2
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

psql "$server_url/postgres" --quiet --command "CREATE DATABASE $database" >/dev/null
DATABASE_URL="$database_url" "$bench_target/release/benchshop" migrate >"$work/migrate.log" 2>&1 ||
  fail "benchshop migrate failed on $database_url; its output is in $work/migrate.log"

names=(handwritten default warn)
ports=("$base_port" "$((base_port + 1))" "$((base_port + 2))")
DATABASE_URL="$database_url" PORT="${ports[0]}" \
  "$bench_target/release/handwritten-get" >"$work/handwritten.log" 2>&1 &
pids+=("$!")
# Logs go to a file, as they would to a collector; `>>` lets each round truncate it.
: >"$work/default.log"
env -u RUST_LOG DATABASE_URL="$database_url" PORT="${ports[1]}" LOG_FORMAT=json \
  "$bench_target/release/benchshop" serve >>"$work/default.log" 2>&1 &
pids+=("$!")
: >"$work/warn.log"
DATABASE_URL="$database_url" PORT="${ports[2]}" LOG_FORMAT=json RUST_LOG=warn \
  "$bench_target/release/benchshop" serve >>"$work/warn.log" 2>&1 &
pids+=("$!")

# Waits until the server at index $1 answers `path` $2 with 200.
wait_until_up() {
  wait_for_http "${ports[$1]}" "$2" "${pids[$1]}" "${names[$1]}" "$work/${names[$1]}.log"
}
wait_until_up 1 /ready
wait_until_up 2 /ready

echo "== seeding $rows customers through POST /api/v1/customers"
ids_file="$work/ids.txt"
: >"$ids_file"
for number in $(seq 1 "$rows"); do
  body="{\"email\":\"customer$number@example.com\",\"name\":\"Customer $number\",\"phone\":\"+33 1 23 45 67 89\",\"birthday\":\"1990-01-01\"}"
  answer="$(curl --silent --fail-with-body --request POST \
    --header 'content-type: application/json' --data "$body" \
    "http://127.0.0.1:${ports[1]}/api/v1/customers")" ||
    fail "creating customer $number failed: $answer"
  id="$(sed -n 's/.*"id":"\([0-9a-f-]\{36\}\)".*/\1/p' <<<"$answer")"
  [ -n "$id" ] || fail "no id in the answer to POST /api/v1/customers: $answer"
  echo "$id" >>"$ids_file"
done
# Each wrk connection walks through every id in turn.
script="$work/get-by-id.lua"
{
  echo "local ids = {"
  sed 's/.*/  "&",/' "$ids_file"
  echo "}"
  echo 'local next_id = 0'
  echo 'request = function()'
  echo '  next_id = next_id % #ids + 1'
  echo '  return wrk.format("GET", "/api/v1/customers/" .. ids[next_id])'
  echo 'end'
} >"$script"
first_id="$(head -1 "$ids_file")"
wait_until_up 0 "/api/v1/customers/$first_id"
for index in 0 1 2; do
  answer="$(curl --silent "http://127.0.0.1:${ports[$index]}/api/v1/customers/$first_id")"
  grep -q "\"email\":\"customer1@example.com\"" <<<"$answer" ||
    fail "GET /api/v1/customers/$first_id on the ${names[$index]} server answered: $answer"
done
echo "== all three servers answer GET /api/v1/customers/{id}"

echo "== warm-up: wrk ${warmup} on each"
for index in 0 1 2; do
  wrk -t"$threads" -c"$connections" -d"$warmup" -s "$script" "http://127.0.0.1:${ports[$index]}" >/dev/null
done

results="$work/results.tsv"
: >"$results"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
echo "== measuring: $rounds rounds of wrk ${wrk_options[*]} on each (load average $load_before)"
for round in $(seq 1 "$rounds"); do
  # Rotate the order every round, so no configuration always runs first or last.
  for position in 0 1 2; do
    index=$(((round + position) % 3))
    name="${names[$index]}"
    : >"$work/$name.log"
    ticks_before="$(cpu_ticks "${pids[$index]}")"
    # In the background, so that a signal stops the round at once, not when wrk is done.
    wrk "${wrk_options[@]}" -s "$script" "http://127.0.0.1:${ports[$index]}" >"$work/wrk.out" &
    client_pid="$!"
    wait "$client_pid"
    client_pid=""
    output="$(<"$work/wrk.out")"
    ticks_after="$(cpu_ticks "${pids[$index]}")"
    rps="$(awk '/^Requests\/sec:/ { print $2 }' <<<"$output")"
    p99="$(awk '$1 == "99%" { print $2 }' <<<"$output")"
    requests="$(awk '/ requests in / { print $1 }' <<<"$output")"
    bad="$(awk '/Non-2xx or 3xx responses:/ { print $NF }' <<<"$output")"
    if [ -z "$rps" ] || [ -z "$p99" ]; then
      fail "cannot read wrk's output:"$'\n'"$output"
    fi
    [ -z "$bad" ] || fail "$name: $bad responses were not 2xx:"$'\n'"$output"
    if grep -q 'Socket errors' <<<"$output"; then
      echo "   warning: $name: $(grep 'Socket errors' <<<"$output")" >&2
    fi
    logged="$(wc -l <"$work/$name.log")"
    # The server's own CPU time per answered request (PostgreSQL's is not counted: the query is
    # the same for both).
    cpu="$(cpu_per_request "$((ticks_after - ticks_before))" "$requests")"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$round" "$rps" \
      "$(to_microseconds "$p99")" "$requests" "$logged" "$cpu" >>"$results"
    printf '   round %s  %-12s %10s req/s  p99 %-8s  %6s µs CPU/request  (%s requests, %s log lines)\n' \
      "$round" "$name" "$rps" "$p99" "$cpu" "$requests" "$logged"
  done
done
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------------------------------------
# Report.
baseline_rps="$(column_median "$results" handwritten 3)"
baseline_cpu="$(column_median "$results" handwritten 7)"
table="| service | configuration | requests/s | p99 latency | throughput vs hand-written | server CPU per request | CPU cost vs hand-written |"$'\n'
table+="|---|---|---:|---:|---:|---:|---:|"$'\n'
for name in "${names[@]}"; do
  rps="$(column_median "$results" "$name" 3)"
  p99="$(column_median "$results" "$name" 4)"
  cpu="$(column_median "$results" "$name" 7)"
  case "$name" in
    handwritten) label="hand-written|axum + sqlx, no middleware" ;;
    default) label="generated|all middleware, LOG_FORMAT=json, RUST_LOG default (a log line a request)" ;;
    warn) label="generated|all middleware, LOG_FORMAT=json, RUST_LOG=warn (no request logs)" ;;
  esac
  if [ "$name" = handwritten ]; then
    share="—"
    cpu_cost="—"
  else
    share="$(awk -v baseline="$baseline_rps" -v rps="$rps" 'BEGIN { printf "%.1f %%", rps / baseline * 100 }')"
    cpu_cost="$(awk -v baseline="$baseline_cpu" -v cpu="$cpu" 'BEGIN { printf "%+.0f %%", (cpu - baseline) / baseline * 100 }')"
  fi
  table+="| ${label/|/ | } | $(printf '%.0f' "$rps") | $(format_latency "$p99") | $share | $cpu µs | $cpu_cost |"$'\n'
done

rounds_table="| configuration | round | requests/s | p99 | requests | log lines | server CPU per request |"$'\n'
rounds_table+="|---|---:|---:|---:|---:|---:|---:|"$'\n'
while IFS=$'\t' read -r name round rps p99 requests logged cpu; do
  rounds_table+="| $name | $round | $rps | $(format_latency "$p99") | $requests | $logged | $cpu µs |"$'\n'
done < <(sort -t$'\t' -k2,2n -k1,1 "$results")

echo
echo "Median of $rounds rounds (wrk ${wrk_options[*]}, GET /api/v1/customers/{id} over $rows rows, 127.0.0.1):"
echo
printf '%s' "$table"
echo
echo "load average: $load_before before, $load_after after"

if [ "$record" = 0 ]; then
  exit 0
fi

command_line="bash bench/get-by-id.sh"
for setting in ROUNDS DURATION WARMUP THREADS CONNECTIONS ROWS; do
  if [ -n "${!setting:-}" ]; then
    command_line="$setting=${!setting} $command_line"
  fi
done
postgres_version="$(psql "$server_url/postgres" --tuples-only --no-align --command 'SHOW server_version')"
entry="### $(date -u '+%Y-%m-%d %H:%M UTC')

- command: \`$command_line\` (each round: \`wrk ${wrk_options[*]} -s get-by-id.lua http://127.0.0.1:PORT\`, $rows customers)
- machine: $(machine_description); PostgreSQL $postgres_version on the same machine
- load average (1, 5, 15 min): $load_before before, $load_after after
- versions (both services): $versions; $(wrk_version)

Median of $rounds rounds:

$table
<details><summary>every round</summary>

$rounds_table
</details>
"
record_entry "$repo/docs/benchmarks.md" "GET by id runs" \
  "<!-- get-by-id results: bench/get-by-id.sh adds each run below this line -->" "$entry"
echo "== results added to docs/benchmarks.md"
