#!/usr/bin/env bash
# Benchmark of `ladmin audit` on a large account (issue 6).
#
# Builds ladmin, starts a sandbox seeded with 20,000 agents that answers every
# request after 50 ms, runs `ladmin audit --policy testdata/policy.yaml
# --format json` against it under GNU time, and prints per run the wall time,
# the number of API requests (counted from the sandbox's own request log) and
# the peak resident memory. Goal: under 1 s and under 64 MiB.
#
# Usage: bench/audit.sh                      (from anywhere in the repository)
#        AGENTS=50000 LATENCY=100ms RUNS=5 bench/audit.sh
#
# Needs GNU time at /usr/bin/time (the shell's `time` keyword cannot report
# memory). On Debian/Ubuntu: apt-get install -y time
set -euo pipefail

AGENTS=${AGENTS:-20000}
LATENCY=${LATENCY:-50ms}
RUNS=${RUNS:-3}
POLICY=${POLICY:-testdata/policy.yaml}

cd "$(dirname "$0")/.."
if [[ ! -x /usr/bin/time ]]; then
  echo "bench/audit.sh needs GNU time: apt-get install -y time" >&2
  exit 2
fi

work=$(mktemp -d)
server_pid=
cleanup() {
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

echo "building ladmin..."
go build -o "$work/ladmin" ./cmd/ladmin

echo "starting the sandbox: $AGENTS agents, $LATENCY latency..."
# --debug makes the sandbox log one line per request on stderr: the count.
"$work/ladmin" sandbox serve --db :memory: --addr 127.0.0.1:0 \
  --seed-agents "$AGENTS" --latency "$LATENCY" --debug \
  >"$work/server.out" 2>"$work/server.log" &
server_pid=$!

url=
for _ in $(seq 1 600); do
  if [[ -s $work/server.out ]]; then
    url=$(head -n 1 "$work/server.out" | sed -n 's/^sandbox listening on //p')
    [[ -n $url ]] && break
  fi
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "the sandbox exited:" >&2
    cat "$work/server.log" >&2
    exit 1
  fi
  sleep 0.1
done
if [[ -z $url ]]; then
  echo "the sandbox did not print its URL within 60 s" >&2
  exit 1
fi
echo "sandbox at $url"
echo

requests() { grep -c 'msg=request' "$work/server.log" || true; }

printf '%-5s %8s %12s %10s %14s %6s %9s\n' run wall_s client_cpu_s requests peak_rss_MiB exit findings
for run in $(seq 1 "$RUNS"); do
  before=$(requests)
  status=0
  LADMIN_URL=$url LADMIN_API_KEY=sandbox-owner-key \
    /usr/bin/time -v -o "$work/time.txt" \
    "$work/ladmin" audit --policy "$POLICY" --format json \
    >"$work/report.json" 2>"$work/audit.err" || status=$?
  after=$(requests)
  # Exit 1 (findings) is a completed audit; anything else is a failure.
  if [[ $status -ne 0 && $status -ne 1 ]]; then
    echo "ladmin audit failed with exit $status:" >&2
    cat "$work/audit.err" >&2
    exit 1
  fi
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time.txt")
  # h:mm:ss or m:ss.cc -> seconds
  wall_s=$(awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.2f", s }' <<<"$wall")
  cpu_s=$(awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.2f", s }' "$work/time.txt")
  rss_kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time.txt")
  rss_mib=$(awk '{ printf "%.1f", $1 / 1024 }' <<<"$rss_kb")
  findings=$(grep -c '"rule":' "$work/report.json" || true)
  printf '%-5s %8s %12s %10s %14s %6s %9s\n' "$run" "$wall_s" "$cpu_s" "$((after - before))" "$rss_mib" "$status" "$findings"
done
echo
echo "summary of the last run: $(head -n 1 "$work/audit.err")"
# The pages after the first are fetched 8 at a time (internal/liveagent), so
# the network wait alone is (1 + ceil((pages - 1) / 8)) round trips.
pages=$(( (AGENTS + 3 + 999) / 1000 ))
echo "latency floor: $(( 1 + (pages - 1 + 7) / 8 )) sequential round trips of $LATENCY ($pages pages of 1000 agents)"
echo "goal: wall < 1 s, peak RSS < 64 MiB"
