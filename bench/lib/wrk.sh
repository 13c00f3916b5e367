# Helpers shared by the service benchmarks (bench/http-overhead.sh, bench/get-by-id.sh,
# bench/http-instructions.sh, bench/relay.sh); sourced.

fail() {
  echo "error: $*" >&2
  exit 2
}

# Stops, saying how to fix it, unless psql is installed and PostgreSQL answers at $1 (a server
# URL without a database name).
require_postgres() {
  command -v psql >/dev/null 2>&1 ||
    fail "psql is missing: install the PostgreSQL client (Debian: postgresql-client)"
  psql "$1/postgres" --quiet --command 'SELECT 1' >/dev/null 2>&1 ||
    fail "cannot reach PostgreSQL at $1: start it or set DATABASE_SERVER_URL"
}

# Prints the path of the axiomod binary to generate with: $AXIOMOD when set (e.g. an older
# build, to compare templates), else a debug build of this checkout, built now (the speed of
# axiomod itself does not matter here: a debug build renders the same files). Run from the
# repository's root.
axiomod_binary() {
  local binary="${AXIOMOD:-}"
  if [ -z "$binary" ]; then
    echo "== building axiomod" >&2
    cargo build --quiet --locked --bin axiomod >&2
    binary="${CARGO_TARGET_DIR:-$PWD/target}/debug/axiomod"
  fi
  [ -x "$binary" ] || fail "cannot find the axiomod binary at $binary"
  echo "$binary"
}

# Installs wrk with apt-get when it is missing (as root or through sudo), or stops saying how.
ensure_wrk() {
  command -v wrk >/dev/null 2>&1 && return 0
  echo "== wrk is missing: installing it with apt-get"
  if ! command -v apt-get >/dev/null 2>&1; then
    fail "wrk is not installed and there is no apt-get here: install wrk (https://github.com/wg/wrk) and run this again"
  fi
  local sudo_command=()
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 ||
      fail "wrk is not installed and installing it needs root: run 'apt-get install -y wrk' as root, then this again"
    sudo_command=(sudo)
  fi
  if ! "${sudo_command[@]}" apt-get install -y wrk; then
    if ! { "${sudo_command[@]}" apt-get update && "${sudo_command[@]}" apt-get install -y wrk; }; then
      fail "wrk could not be installed with apt-get (see above): install the 'wrk' package, then run this again"
    fi
  fi
  command -v wrk >/dev/null 2>&1 || fail "apt-get finished but wrk is still not on PATH"
}

# User + system CPU time of a process so far, in clock ticks (fields 14 and 15 of its stat).
cpu_ticks() {
  awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# Microseconds of CPU per request from a tick difference and a request count.
cpu_per_request() {
  awk -v ticks="$1" -v per_second="$(getconf CLK_TCK)" -v requests="$2" \
    'BEGIN { printf "%.1f", ticks * 1000000 / per_second / requests }'
}

# wrk prints latencies as 812.00us, 1.23ms or 1.02s.
to_microseconds() {
  awk -v value="$1" 'BEGIN {
    number = value + 0
    if (value ~ /us$/) factor = 1
    else if (value ~ /ms$/) factor = 1000
    else if (value ~ /m$/) factor = 60000000
    else if (value ~ /s$/) factor = 1000000
    else { print "unknown latency unit: " value > "/dev/stderr"; exit 1 }
    printf "%.0f", number * factor
  }'
}

# Waits until http://127.0.0.1:$1$2 answers 200, while process $3 runs; $4 names the server
# and $5 is its log, for the messages. Gives up after $6 tries, 0.2 s apart (default 100).
wait_for_http() {
  local port="$1" path="$2" pid="$3" name="$4" log="$5" tries="${6:-100}" _
  for _ in $(seq 1 "$tries"); do
    [ "$(curl --silent --output /dev/null --write-out '%{http_code}' --max-time 2 \
      "http://127.0.0.1:$port$path" || true)" = 200 ] && return 0
    kill -0 "$pid" 2>/dev/null || fail "the $name server stopped at start; its output is in $log"
    sleep 0.2
  done
  fail "the $name server does not answer GET $path on port $port"
}

# The median of column $3 over the rows of the tab-separated file $1 whose first column is $2.
column_median() {
  awk -F'\t' -v name="$2" -v column="$3" '$1 == name { print $column }' "$1" | median
}

# The median of the numbers on stdin, one a line.
median() {
  sort -n | awk '{ values[NR] = $1 } END {
    if (NR % 2) print values[(NR + 1) / 2]; else print (values[NR / 2] + values[NR / 2 + 1]) / 2
  }'
}

format_latency() {
  awk -v microseconds="$1" 'BEGIN {
    if (microseconds >= 1000) printf "%.2f ms", microseconds / 1000; else printf "%.0f µs", microseconds
  }'
}

# The version of `package` in a Cargo.lock.
lock_version() {
  awk -v name="$2" '$0 == "name = \"" name "\"" { getline; gsub(/version = |"/, ""); print; exit }' "$1"
}

# One line describing this machine, for the results.
machine_description() {
  local memory cpu
  memory="$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
  cpu="$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
  echo "$(nproc) CPUs ($cpu), $memory memory, kernel $(uname -r), $(rustc --version)"
}

# wrk's version (wrk -v exits 1 after printing it).
wrk_version() {
  { wrk -v 2>&1 || true; } | head -1 | cut -d' ' -f1-2
}

# Inserts `entry` below the line `marker` of `doc`, adding `heading` and the marker at the end
# of the page first when the marker is missing.
record_entry() {
  local doc="$1" heading="$2" marker="$3" entry="$4" updated
  if [ ! -f "$doc" ] || ! grep -qF "$marker" "$doc"; then
    printf '\n## %s\n\n%s\n' "$heading" "$marker" >>"$doc"
  fi
  updated="$(mktemp)"
  entry="$entry" awk -v marker="$marker" '{ print } $0 == marker { print ""; printf "%s", ENVIRON["entry"] }' \
    "$doc" >"$updated"
  cat "$updated" >"$doc"
  rm -f "$updated"
}
