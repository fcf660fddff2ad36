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

# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
need_gnu_time

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
  read -r wall cpu rss <<<"$(time_figures "$work/time.txt")"
  printf '%-28s %7s %7s %10s %10s  %s\n' "$name" "$wall" "$cpu" "$rss" "$(wc -c <"$work/out")" "$(sha256sum <"$work/out" | cut -c1-16)"
}

build_ladmin
export LADMIN_API_KEY=sandbox-owner-key

printf '%-28s %7s %7s %10s %10s  %s\n' command wall_s cpu_s peak_MiB out_bytes sha256
start_server --seed-agents "$AGENTS"
export LADMIN_URL=$url
for fmt in json yaml csv; do
  run "agent list -o $fmt ($AGENTS)" "$work/ladmin" agent list -o "$fmt"
done
stop_server

{
  echo "email,name,role,gender,departments"
  awk -v n="$ROWS" 'BEGIN { for (i = 1; i <= n; i++) printf "dry%06d@acme.example,Dry Agent %06d,agent,X,support\n", i, i }'
} >"$work/roster.csv"
start_server
export LADMIN_URL=$url
run "import --dry-run ($ROWS)" "$work/ladmin" agent import -f "$work/roster.csv" --dry-run
run "import --dry-run -o json" "$work/ladmin" agent import -f "$work/roster.csv" --dry-run -o json
stop_server
echo "roster: $(wc -c <"$work/roster.csv") bytes; $(nproc) CPUs, shared; load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "goals: agent list peak < 150 MiB; import --dry-run < 3 s and < 150 MiB"
