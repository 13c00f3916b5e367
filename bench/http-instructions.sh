#!/usr/bin/env bash
# Instructions per request of the generated service against its baselines, counted by
# valgrind's callgrind: the steady measure beside the wrk benchmarks (bench/http-overhead.sh,
# bench/get-by-id.sh), because it does not move with the machine's load.
#
# Builds axiomod, generates a Postgres service with `axiomod new` and `axiomod generate scaffold
# schemas/examples/shop.toml`, and builds it in release together with bench/bare-axum and
# bench/handwritten-get as extra binaries of the generated package (the same dependency
# builds). Then, for each configuration, runs the server under callgrind with instrumentation
# off, sends WARMUP_REQUESTS requests, turns it on, sends REQUESTS requests on one keep-alive
# connection (curl), stops the server, and divides the instructions counted by REQUESTS:
#   bare            bare axum, GET /live
#   generated live  the generated service as deployed (LOG_FORMAT=json, RUST_LOG unset), GET /live
#   handwritten     plain axum + sqlx, GET /api/v1/customers/{id}
#   generated get   the generated service as deployed (one log line a request), the same route
#   generated get, no logs   the same with RUST_LOG=warn
# Only the server's instructions are counted (not curl's, not PostgreSQL's). The per-function
# profiles (callgrind_annotate, exclusive and inclusive) are left in BENCH_WORK_DIR.
#
# Usage: bash bench/http-instructions.sh
# Settings (environment): REQUESTS=2000 WARMUP_REQUESTS=200 ROWS=50 BASE_PORT=18100,
#   AXIOMOD (an axiomod binary to generate with, e.g. an older build to compare templates;
#   default: this checkout's, built in debug),
#   BENCH_WORK_DIR=target/bench-instructions (generated sources, profiles),
#   BENCH_TARGET_DIR=target/bench-build (build output, shared with the other HTTP benchmarks),
#   DATABASE_SERVER_URL=postgres://postgres@127.0.0.1:5432 (a server where this user may create
#   and drop a database).
# Prerequisites: Rust, curl, psql, valgrind (Debian: valgrind), a PostgreSQL server.
#
# The servers listen on 127.0.0.1 (the generated one on 0.0.0.0, as it is deployed) while the
# script runs; it stops them and drops its database when it ends, for any reason.
set -Eeuo pipefail
trap 'echo "error: bench/http-instructions.sh stopped at line $LINENO" >&2' ERR

requests="${REQUESTS:-2000}"
warmup_requests="${WARMUP_REQUESTS:-200}"
rows="${ROWS:-50}"
base_port="${BASE_PORT:-18100}"
server_url="${DATABASE_SERVER_URL:-postgres://postgres@127.0.0.1:5432}"

# shellcheck source=bench/lib/wrk.sh
source "$(dirname "$0")/lib/wrk.sh"

case "${1:-}" in
  "") ;;
  -h | --help)
    sed -n '2,31p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  *) fail "unknown argument '$1' (try --help)" ;;
esac
for setting in requests warmup_requests rows; do
  [[ "${!setting}" =~ ^[1-9][0-9]*$ ]] ||
    fail "${setting^^} must be a positive whole number, not '${!setting}'"
done
for tool in curl psql valgrind callgrind_control callgrind_annotate; do
  command -v "$tool" >/dev/null 2>&1 ||
    fail "$tool is missing: install it (Debian: curl, postgresql-client, valgrind), then run this again"
done
require_postgres "$server_url"

cd "$(dirname "$0")/.."
repo="$PWD"
work="${BENCH_WORK_DIR:-$repo/target/bench-instructions}"
bench_target="${BENCH_TARGET_DIR:-$repo/target/bench-build}"
mkdir -p "$work"
work="$(cd "$work" && pwd)"

axiomod="$(axiomod_binary)"

service="$work/benchshop"
echo "== generating a Postgres service with the shop schema into $service"
rm -rf "$service"
"$axiomod" new benchshop --db postgres --yes --path "$service" >/dev/null
"$axiomod" generate scaffold "$repo/schemas/examples/shop.toml" --project "$service" >/dev/null
mkdir -p "$service/src/bin"
cp "$repo/bench/handwritten-get/main.rs" "$service/src/bin/handwritten-get.rs"
cp "$repo/bench/bare-axum/src/main.rs" "$service/src/bin/bare-axum.rs"

echo "== building the three binaries (release, CARGO_TARGET_DIR=$bench_target)"
(cd "$service" && CARGO_TARGET_DIR="$bench_target" cargo build --quiet --release --bins)
binaries="$bench_target/release"

# ---------------------------------------------------------------------------------------------
# Database and servers; everything started here is stopped by `cleanup`.
database="axiomod_bench_instructions_$$"
database_url="$server_url/$database"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  psql "$server_url/postgres" --quiet --command "DROP DATABASE IF EXISTS $database WITH (FORCE)" \
    >/dev/null 2>&1 || echo "warning: could not drop the database $database" >&2
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

psql "$server_url/postgres" --quiet --command "CREATE DATABASE $database" >/dev/null
DATABASE_URL="$database_url" "$binaries/benchshop" migrate >"$work/migrate.log" 2>&1 ||
  fail "benchshop migrate failed on $database_url; its output is in $work/migrate.log"

# Waits until the server on `port` answers `path` with 200 (valgrind starts slowly).
wait_until_up() {
  wait_for_http "$1" "$2" "$server_pid" "$3" "$work/$3.log" 600
}

stop_server() {
  kill -TERM "$server_pid"
  wait "$server_pid" || true
  server_pid=""
}

echo "== seeding $rows customers through the generated POST /api/v1/customers"
DATABASE_URL="$database_url" PORT="$base_port" RUST_LOG=warn "$binaries/benchshop" serve \
  >"$work/seed.log" 2>&1 &
server_pid="$!"
wait_until_up "$base_port" /ready seed
ids_file="$work/ids.txt"
: >"$ids_file"
for number in $(seq 1 "$rows"); do
  body="{\"email\":\"customer$number@example.com\",\"name\":\"Customer $number\",\"phone\":\"+33 1 23 45 67 89\",\"birthday\":\"1990-01-01\"}"
  answer="$(curl --silent --fail-with-body --request POST \
    --header 'content-type: application/json' --data "$body" \
    "http://127.0.0.1:$base_port/api/v1/customers")" ||
    fail "creating customer $number failed: $answer"
  id="$(sed -n 's/.*"id":"\([0-9a-f-]\{36\}\)".*/\1/p' <<<"$answer")"
  [ -n "$id" ] || fail "no id in the answer to POST /api/v1/customers: $answer"
  echo "$id" >>"$ids_file"
done
stop_server

# Writes a curl config of `count` GETs of `path` (`{id}` cycles through the seeded ids); curl
# sends them one after the other on one keep-alive connection.
write_requests() {
  local port="$1" path="$2" count="$3" file="$4"
  awk -v port="$port" -v path="$path" -v count="$count" '
    { ids[NR] = $1 }
    END {
      for (i = 0; i < count; i++) {
        url = path
        sub(/\{id\}/, ids[i % NR + 1], url)
        printf "url = \"http://127.0.0.1:%s%s\"\noutput = \"/dev/null\"\n", port, url
      }
    }' "$ids_file" >"$file"
}

# Sends the requests of a config file; fails unless every answer is 200.
send_requests() {
  local file="$1" name="$2" statuses
  statuses="$(curl --silent --write-out '%{http_code}\n' --config "$file" | sort | uniq -c)"
  [ "$(awk '{ print $2 }' <<<"$statuses")" = 200 ] ||
    fail "$name: not every answer was 200:"$'\n'"$statuses"
}

results="$work/results.tsv"
: >"$results"
# Runs one configuration: name, path, then the environment and command of the server.
measure() {
  local name="$1" path="$2"
  shift 2
  local port="$base_port" profile="$work/$name.callgrind"
  rm -f "$profile"
  echo "== $name: GET $path under callgrind"
  env PORT="$port" DATABASE_URL="$database_url" "$@" \
    >"$work/$name.log" 2>"$work/$name.valgrind.log" &
  server_pid="$!"
  wait_until_up "$port" "${path//\{id\}/$(head -1 "$ids_file")}" "$name"
  write_requests "$port" "$path" "$warmup_requests" "$work/warmup.curl"
  write_requests "$port" "$path" "$requests" "$work/requests.curl"
  send_requests "$work/warmup.curl" "$name"
  callgrind_control --instr=on "$server_pid" >/dev/null 2>&1
  send_requests "$work/requests.curl" "$name"
  callgrind_control --instr=off "$server_pid" >/dev/null 2>&1
  stop_server
  [ -s "$profile" ] || fail "$name: callgrind wrote no profile; see $work/$name.valgrind.log"
  local total
  total="$(awk '/^totals:/ { print $2; exit }' "$profile")"
  [ -n "$total" ] || fail "$name: no instruction total in $profile"
  callgrind_annotate --inclusive=no "$profile" >"$work/$name.exclusive.txt" 2>/dev/null
  callgrind_annotate --inclusive=yes "$profile" >"$work/$name.inclusive.txt" 2>/dev/null
  printf '%s\t%s\n' "$name" "$((total / requests))" >>"$results"
  printf '   %-24s %10s instructions/request\n' "$name" "$((total / requests))"
}

# Instrumentation starts off: start-up and warm-up are not counted.
callgrind=(valgrind --tool=callgrind --instr-atstart=no)
measure bare /live "${callgrind[@]}" --callgrind-out-file="$work/bare.callgrind" \
  "$binaries/bare-axum"
measure generated-live /live env -u RUST_LOG LOG_FORMAT=json \
  "${callgrind[@]}" --callgrind-out-file="$work/generated-live.callgrind" "$binaries/benchshop" serve
measure handwritten '/api/v1/customers/{id}' "${callgrind[@]}" \
  --callgrind-out-file="$work/handwritten.callgrind" "$binaries/handwritten-get"
measure generated-get '/api/v1/customers/{id}' env -u RUST_LOG LOG_FORMAT=json \
  "${callgrind[@]}" --callgrind-out-file="$work/generated-get.callgrind" "$binaries/benchshop" serve
measure generated-get-no-logs '/api/v1/customers/{id}' env LOG_FORMAT=json RUST_LOG=warn \
  "${callgrind[@]}" --callgrind-out-file="$work/generated-get-no-logs.callgrind" \
  "$binaries/benchshop" serve

# ---------------------------------------------------------------------------------------------
# Report.
count() {
  awk -F'\t' -v name="$1" '$1 == name { print $2 }' "$results"
}
row() {
  local label="$1" name="$2" baseline="$3" value
  value="$(count "$name")"
  if [ "$name" = "$baseline" ]; then
    printf '| %s | %s | — |\n' "$label" "$value"
  else
    awk -v label="$label" -v value="$value" -v base="$(count "$baseline")" 'BEGIN {
      printf "| %s | %d | %+d (%+.0f %%) |\n", label, value, value - base, (value - base) / base * 100
    }'
  fi
}
echo
echo "Server instructions per request (callgrind, $requests requests on one connection after $warmup_requests):"
echo
echo "| server, route | instructions/request | against its baseline |"
echo "|---|---:|---:|"
row "bare axum, GET /live" bare bare
row "generated, GET /live (as deployed)" generated-live bare
row "hand-written axum + sqlx, GET /api/v1/customers/{id}" handwritten handwritten
row "generated, GET /api/v1/customers/{id} (as deployed: a log line)" generated-get handwritten
row "generated, GET /api/v1/customers/{id}, RUST_LOG=warn" generated-get-no-logs handwritten
echo
echo "Per-function profiles: $work/<name>.exclusive.txt and <name>.inclusive.txt"
