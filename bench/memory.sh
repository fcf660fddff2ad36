#!/usr/bin/env bash
# Peak memory of the commands that hold a whole account or roster (issue 15).
#
# Builds ladmin, then
#   1. starts a sandbox seeded with AGENTS (default 100,000) agents and runs
#      `ladmin agent list -o json|yaml|csv` once each under GNU time: wall
#      time, CPU time, peak RSS, bytes written and their sha256 (the same
#      bytes as before streaming: internal/output's tests compare the two
#      paths; compare the sums across versions). Goal: peak under 150 MB.
#   2. generates a CSV roster of ROWS (default 200,000) new agents and runs
#      `ladmin agent import --dry-run` of it against a small sandbox, as a
#      table and with -o json. Goal: under 3 s and under 150 MB.
#
# Usage: bench/memory.sh                       (from anywhere in the repository)
#        AGENTS=20000 ROWS=50000 bench/memory.sh
#
# Needs GNU time at /usr/bin/time: apt-get install -y time
set -euo pipefail

AGENTS=${AGENTS:-100000}
ROWS=${ROWS:-200000}

cd "$(dirname "$0")/.."
if [[ ! -x /usr/bin/time ]]; then
  echo "bench/memory.sh needs GNU time: apt-get install -y time" >&2
  exit 2
fi
work=$(mktemp -d)
server_pid=
stop_server() {
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=
}
cleanup() {
  stop_server
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

# start_server AGENTS starts a fresh in-memory sandbox and sets $url.
start_server() {
  : >"$work/server.out"
  "$work/ladmin" sandbox serve --db :memory: --addr 127.0.0.1:0 --seed-agents "$1" \
    >"$work/server.out" 2>"$work/server.log" &
  server_pid=$!
  url=
  for _ in $(seq 1 1200); do
    url=$(sed -n 's/^sandbox listening on //p' "$work/server.out" | head -n 1)
    [[ -n $url ]] && return 0
    if ! kill -0 "$server_pid" 2>/dev/null; then
      echo "the sandbox exited:" >&2
      cat "$work/server.log" >&2
      exit 1
    fi
    sleep 0.1
  done
  echo "the sandbox did not start within 120 s" >&2
  exit 1
}

# run NAME CMD... prints one line: wall, CPU, peak RSS, bytes, sha256.
run() {
  local name=$1
  shift
  /usr/bin/time -v -o "$work/time.txt" "$@" >"$work/out" 2>"$work/err" || {
    echo "$name failed:" >&2
    cat "$work/err" >&2
    exit 1
  }
  local wall cpu rss
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time.txt" |
    awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.2f", s }')
  cpu=$(awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.2f", s }' "$work/time.txt")
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time.txt" | awk '{ printf "%.1f", $1 / 1024 }')
  printf '%-28s %7s %7s %10s %10s  %s\n' "$name" "$wall" "$cpu" "$rss" "$(wc -c <"$work/out")" "$(sha256sum <"$work/out" | cut -c1-16)"
}

echo "building ladmin..."
go build -o "$work/ladmin" ./cmd/ladmin
export XDG_CONFIG_HOME="$work/config" XDG_CACHE_HOME="$work/cache" XDG_STATE_HOME="$work/state" LADMIN_API_KEY=sandbox-owner-key # the journal too: never the developer's own
unset LADMIN_PROFILE LADMIN_OUTPUT LADMIN_TIMEOUT LADMIN_DEBUG LADMIN_JOURNAL

printf '%-28s %7s %7s %10s %10s  %s\n' command wall_s cpu_s peak_MiB out_bytes sha256
start_server "$AGENTS"
export LADMIN_URL=$url
for fmt in json yaml csv; do
  run "agent list -o $fmt ($AGENTS)" "$work/ladmin" agent list -o "$fmt"
done
stop_server

{
  echo "email,name,role,gender,departments"
  awk -v n="$ROWS" 'BEGIN { for (i = 1; i <= n; i++) printf "dry%06d@acme.example,Dry Agent %06d,agent,X,support\n", i, i }'
} >"$work/roster.csv"
start_server 0
export LADMIN_URL=$url
run "import --dry-run ($ROWS)" "$work/ladmin" agent import -f "$work/roster.csv" --dry-run
run "import --dry-run -o json" "$work/ladmin" agent import -f "$work/roster.csv" --dry-run -o json
stop_server
echo "roster: $(wc -c <"$work/roster.csv") bytes; $(nproc) CPUs, shared; load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "goals: agent list peak < 150 MiB; import --dry-run < 3 s and < 150 MiB"
