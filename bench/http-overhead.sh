#!/usr/bin/env bash
# What the generated middleware stack costs on a trivial route (issue 3's benchmark).
#
# Builds axiomod, generates a SQLite service with `axiomod new`, builds it and a bare
# axum service (bench/bare-axum: the same GET /live handler and JSON body, no middleware, pinned
# to the generated Cargo.lock), then measures GET /live on each with wrk:
#   bare axum            no middleware
#   generated, default   LOG_FORMAT=json, RUST_LOG unset: every middleware; /live is a probe
#                        route, logged at DEBUG only, so no log line
#   generated, logged    LOG_FORMAT=json, RUST_LOG=info,benchsvc::platform::http=debug: the same
#                        stack with one log line a request, as an API route writes
# in alternating rounds, and reports the median requests/s and p99 latency of each, with the
# throughput cost against bare axum. The results are appended to docs/benchmarks.md.
#
# Usage: bash bench/http-overhead.sh [--no-record]
#   --no-record   print the results, leave docs/benchmarks.md alone
# Settings (environment): ROUNDS=5 DURATION=10s WARMUP=3s THREADS=2 CONNECTIONS=64
#   BASE_PORT=18080 (three ports from it), BENCH_WORK_DIR=target/bench (generated sources),
#   BENCH_TARGET_DIR=target/bench-build (build output of both services, reused between runs),
#   BENCH_NAMESPACE=0 (run the servers in the current network namespace, see below).
# Prerequisites: Rust, and wrk (installed with apt-get when missing; see docs/benchmarks.md).
#
# All traffic stays on 127.0.0.1. When `unshare` may create namespaces (root), the servers and
# wrk run in a private network namespace whose only interface is loopback (the generated service
# listens on 0.0.0.0); every server this script starts is stopped when it exits.
set -Eeuo pipefail
trap 'echo "error: bench/http-overhead.sh stopped at line $LINENO" >&2' ERR

rounds="${ROUNDS:-5}"
duration="${DURATION:-10s}"
warmup="${WARMUP:-3s}"
threads="${THREADS:-2}"
connections="${CONNECTIONS:-64}"
base_port="${BASE_PORT:-18080}"
wrk_options=(-t"$threads" -c"$connections" -d"$duration" --latency)

# shellcheck source=bench/lib/wrk.sh
source "$(dirname "$0")/lib/wrk.sh"

# ---------------------------------------------------------------------------------------------
# Measurement phase: start the three servers, warm them up, run the rounds, write the results.
# Runs in its own network and PID namespace when possible (see "Measurement" below).
measure() {
  local work="$1" service_binary="$2" bare_binary="$3" results="$4"
  local names=(bare default logged)
  local ports=("$base_port" "$((base_port + 1))" "$((base_port + 2))")
  # Global, not local: the EXIT trap reads them after this function has returned.
  pids=()
  client_pid=""

  stop_servers() {
    local pid
    for pid in $client_pid "${pids[@]}"; do
      kill "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
      wait "$pid" 2>/dev/null || true
    done
    pids=()
    client_pid=""
  }
  trap stop_servers EXIT
  trap 'exit 130' INT TERM

  if [ "${BENCH_IN_NAMESPACE:-}" = 1 ]; then
    ip link set lo up
  fi

  PORT="${ports[0]}" "$bare_binary" >"$work/bare.log" 2>&1 &
  pids+=("$!")
  # /live never touches the database, but the service's background tasks (the outbox relay
  # polls its table) do: a migrated database, as deployed, so that they do not fail and log
  # every 200 ms while the rounds run.
  rm -f "$work"/bench.db*
  DATABASE_URL="sqlite://$work/bench.db?mode=rwc" "$service_binary" migrate >"$work/migrate.log" 2>&1 ||
    fail "$service_binary migrate failed; its output is in $work/migrate.log"
  # Logs go to a file, as they would to a collector; `>>` lets each round truncate it.
  : >"$work/default.log"
  env -u RUST_LOG PORT="${ports[1]}" LOG_FORMAT=json \
    DATABASE_URL="sqlite://$work/bench.db?mode=rwc" \
    "$service_binary" serve >>"$work/default.log" 2>&1 &
  pids+=("$!")
  : >"$work/logged.log"
  PORT="${ports[2]}" LOG_FORMAT=json RUST_LOG=info,benchsvc::platform::http=debug \
    DATABASE_URL="sqlite://$work/bench.db?mode=rwc" \
    "$service_binary" serve >>"$work/logged.log" 2>&1 &
  pids+=("$!")

  local index body
  for index in 0 1 2; do
    body=""
    for _ in $(seq 1 100); do
      body="$(curl --silent --max-time 1 "http://127.0.0.1:${ports[$index]}/live" || true)"
      [ -n "$body" ] && break
      kill -0 "${pids[$index]}" 2>/dev/null ||
        fail "the ${names[$index]} server stopped at start; its output is in $work/${names[$index]}.log"
      sleep 0.1
    done
    [ "$body" = '{"status":"ok"}' ] ||
      fail "GET /live on the ${names[$index]} server (port ${ports[$index]}) answered '$body', not {\"status\":\"ok\"}"
  done
  echo "== all three servers answer GET /live with {\"status\":\"ok\"}"

  echo "== warm-up: wrk ${warmup} on each"
  for index in 0 1 2; do
    wrk -t"$threads" -c"$connections" -d"$warmup" "http://127.0.0.1:${ports[$index]}/live" >/dev/null
  done

  : >"$results"
  local round position output rps p99 requests bad logged ticks_before ticks_after cpu
  for round in $(seq 1 "$rounds"); do
    # Rotate the order every round, so no configuration always runs first or last.
    for position in 0 1 2; do
      index=$(((round + position) % 3))
      : >"$work/${names[$index]}.log"
      ticks_before="$(cpu_ticks "${pids[$index]}")"
      # In the background, so that a signal stops the round at once, not when wrk is done.
      wrk "${wrk_options[@]}" "http://127.0.0.1:${ports[$index]}/live" >"$work/wrk.out" &
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
      [ -z "$bad" ] || fail "${names[$index]}: $bad responses were not 2xx:"$'\n'"$output"
      if grep -q 'Socket errors' <<<"$output"; then
        echo "   warning: ${names[$index]}: $(grep 'Socket errors' <<<"$output")" >&2
      fi
      logged="$(wc -l <"$work/${names[$index]}.log")"
      # The server's own CPU time (user + system) per answered request, in microseconds: what
      # the stack costs, much less sensitive than requests/s to what else runs on the machine.
      cpu="$(cpu_per_request "$((ticks_after - ticks_before))" "$requests")"
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "${names[$index]}" "$round" "$rps" \
        "$(to_microseconds "$p99")" "$requests" "$logged" "$cpu" >>"$results"
      printf '   round %s  %-8s %10s req/s  p99 %-8s  %6s µs CPU/request  (%s requests, %s log lines)\n' \
        "$round" "${names[$index]}" "$rps" "$p99" "$cpu" "$requests" "$logged"
    done
  done
  : >"$work/logged.log"
  stop_servers
}

if [ "${1:-}" = "__measure" ]; then
  shift
  measure "$@"
  exit 0
fi

# ---------------------------------------------------------------------------------------------
# Preparation: wrk, builds.
record=1
case "${1:-}" in
  "") ;;
  --no-record) record=0 ;;
  -h | --help)
    sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  *) fail "unknown argument '$1' (try --help)" ;;
esac
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || fail "ROUNDS must be a positive whole number, not '$rounds'"

cd "$(dirname "$0")/.."
repo="$PWD"
work="${BENCH_WORK_DIR:-$repo/target/bench}"
bench_target="${BENCH_TARGET_DIR:-$repo/target/bench-build}"
axiomod_target="${CARGO_TARGET_DIR:-$repo/target}"
mkdir -p "$work"
work="$(cd "$work" && pwd)"

ensure_wrk

# The speed of axiomod itself does not matter here: a debug build renders the same files.
echo "== building axiomod"
cargo build --quiet --locked --bin axiomod
axiomod="$axiomod_target/debug/axiomod"
[ -x "$axiomod" ] || fail "cannot find the axiomod binary at $axiomod"

service="$work/benchsvc"
echo "== generating a SQLite service into $service"
# A fresh copy every run, so the benchmark measures the templates as they are now.
rm -rf "$service"
"$axiomod" new benchsvc --db sqlite --yes --path "$service" >/dev/null

echo "== building the generated service (release, CARGO_TARGET_DIR=$bench_target)"
(cd "$service" && CARGO_TARGET_DIR="$bench_target" cargo build --quiet --release)

echo "== building bare axum (release) on the generated service's Cargo.lock"
bare="$work/bare-axum"
rm -rf "$bare"
mkdir -p "$bare"
cp -R "$repo/bench/bare-axum/Cargo.toml" "$repo/bench/bare-axum/src" "$bare/"
cp "$service/Cargo.lock" "$bare/Cargo.lock"
# Not --locked: cargo drops the packages bare axum does not use and keeps every version.
(cd "$bare" && CARGO_TARGET_DIR="$bench_target" cargo build --quiet --release)

versions=""
for package in axum axum-core hyper hyper-util tokio serde serde_json; do
  service_version="$(lock_version "$service/Cargo.lock" "$package")"
  bare_version="$(lock_version "$bare/Cargo.lock" "$package")"
  [ "$service_version" = "$bare_version" ] ||
    fail "$package is $service_version in the generated service but $bare_version in bare axum"
  versions+="${versions:+, }$package $service_version"
done
echo "   same versions in both: $versions"

# ---------------------------------------------------------------------------------------------
# Measurement.
results="$work/results.tsv"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
echo "== measuring: $rounds rounds of wrk ${wrk_options[*]} on each (load average $load_before)"
measure_command=(bash "$0" __measure "$work" "$bench_target/release/benchsvc"
  "$bench_target/release/bare-axum" "$results")
if [ "${BENCH_NAMESPACE:-1}" = 1 ] && unshare --net --pid --fork --mount-proc true 2>/dev/null; then
  echo "   in a private network namespace: only 127.0.0.1 exists, nothing is reachable from outside"
  # The measurement is PID 1 of its PID namespace: when it ends, the kernel stops every server
  # left.
  measure_command=(unshare --net --pid --fork --mount-proc --kill-child=SIGTERM
    env BENCH_IN_NAMESPACE=1 "${measure_command[@]}")
else
  echo "   note: not in a private network namespace; the generated service listens on" \
    "0.0.0.0:$((base_port + 1)) and :$((base_port + 2)) while it runs (wrk still uses 127.0.0.1)"
fi
# In the background, so that stopping this script stops the measurement and its servers at once.
# unshare ignores SIGTERM while it waits, so the signal goes to the measurement, its child.
stop_measurement() {
  local children
  mapfile -t children < <(pgrep -P "$measure_pid" || true)
  kill "${children[@]}" "$measure_pid" 2>/dev/null || true
  wait "$measure_pid" 2>/dev/null || true
  exit 143
}
"${measure_command[@]}" &
measure_pid="$!"
trap stop_measurement INT TERM HUP
wait "$measure_pid"
trap - INT TERM HUP
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------------------------------------
# Report.
bare_rps="$(column_median "$results" bare 3)"
bare_cpu="$(column_median "$results" bare 7)"
table="| service | configuration | requests/s | p99 latency | throughput cost vs bare | server CPU per request | CPU cost vs bare |"$'\n'
table+="|---|---|---:|---:|---:|---:|---:|"$'\n'
for name in bare default logged; do
  rps="$(column_median "$results" "$name" 3)"
  p99="$(column_median "$results" "$name" 4)"
  cpu="$(column_median "$results" "$name" 7)"
  case "$name" in
    bare) label="bare axum|no middleware" ;;
    default) label="generated|all middleware, LOG_FORMAT=json, RUST_LOG default (probes not logged)" ;;
    logged) label="generated|all middleware, LOG_FORMAT=json, the request line on (a log line a request)" ;;
  esac
  if [ "$name" = bare ]; then
    overhead="—"
    cpu_overhead="—"
  else
    overhead="$(awk -v bare="$bare_rps" -v rps="$rps" 'BEGIN { printf "%.1f %%", (bare - rps) / bare * 100 }')"
    cpu_overhead="$(awk -v bare="$bare_cpu" -v cpu="$cpu" 'BEGIN { printf "+%.0f %%", (cpu - bare) / bare * 100 }')"
  fi
  table+="| ${label/|/ | } | $(printf '%.0f' "$rps") | $(format_latency "$p99") | $overhead | $cpu µs | $cpu_overhead |"$'\n'
done

rounds_table="| configuration | round | requests/s | p99 | requests | log lines | server CPU per request |"$'\n'
rounds_table+="|---|---:|---:|---:|---:|---:|---:|"$'\n'
while IFS=$'\t' read -r name round rps p99 requests logged cpu; do
  rounds_table+="| $name | $round | $rps | $(format_latency "$p99") | $requests | $logged | $cpu µs |"$'\n'
done < <(sort -t$'\t' -k2,2n -k1,1 "$results")

echo
echo "Median of $rounds rounds (wrk ${wrk_options[*]}, GET /live, 127.0.0.1):"
echo
printf '%s' "$table"
echo
echo "load average: $load_before before, $load_after after"

if [ "$record" = 0 ]; then
  exit 0
fi

command_line="bash bench/http-overhead.sh"
for setting in ROUNDS DURATION WARMUP THREADS CONNECTIONS; do
  if [ -n "${!setting:-}" ]; then
    command_line="$setting=${!setting} $command_line"
  fi
done
entry="### $(date -u '+%Y-%m-%d %H:%M UTC')

- command: \`$command_line\` (each round: \`wrk ${wrk_options[*]} http://127.0.0.1:PORT/live\`)
- machine: $(machine_description)
- load average (1, 5, 15 min): $load_before before, $load_after after
- versions (both services): $versions; $(wrk_version)

Median of $rounds rounds:

$table
<details><summary>every round</summary>

$rounds_table
</details>
"

record_entry "$repo/docs/benchmarks.md" "HTTP overhead runs" \
  "<!-- http-overhead results: bench/http-overhead.sh adds each run below this line -->" "$entry"
echo "== results added to docs/benchmarks.md"
