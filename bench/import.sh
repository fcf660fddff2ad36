#!/usr/bin/env bash
# Benchmark of `ladmin agent import` (issue 5, spec/bulk.md "Speed").
#
# Builds ladmin, starts `ladmin sandbox serve --db :memory: --latency 50ms
# --rate-limit 100`, generates a CSV of 1,000 new agents, and times
# `ladmin agent import -f agents.csv` with the owner's key. It prints the wall
# time, the floor the rate limit imposes (1000 / 100 per second = 10 s), their
# ratio (goal: at most 1.10), and checks that the account then holds exactly
# the 1,000 agents. Then, on a fresh sandbox with the same settings, it times a
# sequential loop of single `ladmin agent create` calls: SEQ (default 100)
# of them, extrapolated to 1,000 and labelled as such; SEQ=1000 runs them all.
#
# Usage: bench/import.sh                    (from anywhere in the repository)
#        AGENTS=2000 RATE_LIMIT=200 SEQ=1000 RUNS=3 bench/import.sh
set -euo pipefail

AGENTS=${AGENTS:-1000}
LATENCY=${LATENCY:-50ms}
RATE_LIMIT=${RATE_LIMIT:-100}
RUNS=${RUNS:-1}
SEQ=${SEQ:-100}

cd "$(dirname "$0")/.."
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

# start_server starts a fresh in-memory sandbox and sets $url.
start_server() {
  : >"$work/server.out"
  "$work/ladmin" sandbox serve --db :memory: --addr 127.0.0.1:0 \
    --latency "$LATENCY" --rate-limit "$RATE_LIMIT" >"$work/server.out" 2>"$work/server.log" &
  server_pid=$!
  url=
  for _ in $(seq 1 300); do
    url=$(sed -n 's/^sandbox listening on //p' "$work/server.out" | head -n 1)
    [[ -n $url ]] && return 0
    if ! kill -0 "$server_pid" 2>/dev/null; then
      echo "the sandbox exited:" >&2
      cat "$work/server.log" >&2
      exit 1
    fi
    sleep 0.1
  done
  echo "the sandbox did not start" >&2
  exit 1
}

now() { date +%s.%N; }
calc() { awk "BEGIN { print $1 }"; }
since() { calc "$(now) - $1"; }

echo "building ladmin..."
go build -o "$work/ladmin" ./cmd/ladmin
export LADMIN_API_KEY=sandbox-owner-key
unset LADMIN_PROFILE LADMIN_OUTPUT LADMIN_TIMEOUT LADMIN_DEBUG
export XDG_CONFIG_HOME="$work/config" # no saved profile interferes

{
  echo "email,name,role,gender,departments"
  for i in $(seq 1 "$AGENTS"); do
    printf 'bench%05d@acme.example,Bench Agent %05d,agent,X,support\n' "$i" "$i"
  done
} >"$work/agents.csv"

floor=$(calc "$AGENTS / $RATE_LIMIT")
echo
echo "== ladmin agent import: $AGENTS new agents, sandbox --latency $LATENCY --rate-limit $RATE_LIMIT"
for run in $(seq 1 "$RUNS"); do
  start_server
  export LADMIN_URL=$url
  t0=$(now)
  "$work/ladmin" agent import -f "$work/agents.csv" --report "$work/report.csv" >"$work/import.out" 2>"$work/import.err"
  wall=$(since "$t0")
  summary=$(tail -n 1 "$work/import.out")
  count=$("$work/ladmin" agent list --email 'bench*@acme.example' -o json | grep -c '"email"')
  ok=$(grep -c ',create,ok,' "$work/report.csv" || true)
  printf 'run %d: wall %.2f s   floor %.2f s   ratio %.3f (goal <= 1.10)\n' "$run" "$wall" "$floor" "$(calc "$wall / $floor")"
  printf '       %s\n' "$summary"
  printf '       account holds %d bench agents; report: %d rows ok\n' "$count" "$ok"
  if [[ $count -ne $AGENTS ]]; then
    echo "MISMATCH: expected $AGENTS agents" >&2
    cat "$work/import.err" >&2
    exit 1
  fi
  stop_server
done

echo
echo "== sequential loop of single 'ladmin agent create' calls, same sandbox settings"
start_server
export LADMIN_URL=$url
t0=$(now)
for i in $(seq 1 "$SEQ"); do
  "$work/ladmin" agent create --name "Seq Agent $i" --email "seq$i@acme.example" --department support >/dev/null
done
seq_wall=$(since "$t0")
stop_server
per=$(calc "$seq_wall / $SEQ")
if [[ $SEQ -eq $AGENTS ]]; then
  printf '%d creates, measured: %.2f s (%.0f ms each)\n' "$SEQ" "$seq_wall" "$(calc "$per * 1000")"
else
  printf '%d creates measured: %.2f s (%.0f ms each); extrapolated to %d: %.1f s (EXTRAPOLATED, not measured)\n' \
    "$SEQ" "$seq_wall" "$(calc "$per * 1000")" "$AGENTS" "$(calc "$per * $AGENTS")"
fi
