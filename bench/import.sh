#!/usr/bin/env bash
# Benchmark of `ladmin agent import` (issues 5 and 15, spec/bulk.md "Speed").
#
# Builds ladmin and, for each CASE of RATE:ROWS (default "100:1000 1000:3000"),
# starts `ladmin sandbox serve --db :memory: --latency 50ms --rate-limit RATE`,
# generates a CSV of ROWS new agents, and times `ladmin agent import -f
# agents.csv` with the owner's key (workers sized by ladmin itself). It prints
# the wall time, the floor the rate limit imposes (ROWS / RATE s), their ratio
# (goals: at most 1.10 at 100/s, at most 1.15 at 1000/s), and checks that the
# account then holds exactly the ROWS agents. Then, on a fresh sandbox at the
# first RATE, it times a sequential loop of SEQ (default 100) single `ladmin
# agent create` calls, and in the same run `ladmin version` and one round trip
# (`ladmin sandbox`-side latency), and prints each create's ratio to
# round trip + version (goal: at most 1.25); then the same loop with
# --department, whose names are read fresh (two round trips).
#
# Usage: bench/import.sh                    (from anywhere in the repository)
#        CASES="100:1000" SEQ=1000 RUNS=3 bench/import.sh
set -euo pipefail

CASES=${CASES:-100:1000 1000:3000}
LATENCY=${LATENCY:-50ms}
RUNS=${RUNS:-3}
SEQ=${SEQ:-100}

# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"

now() { date +%s.%N; }
calc() { awk "BEGIN { print $1 }"; }
since() { calc "$(now) - $1"; }

build_ladmin
export LADMIN_API_KEY=sandbox-owner-key

for case in $CASES; do
  RATE_LIMIT=${case%%:*} AGENTS=${case##*:}
  {
    echo "email,name,role,gender,departments"
    for i in $(seq 1 "$AGENTS"); do
      printf 'bench%05d@acme.example,Bench Agent %05d,agent,X,support\n' "$i" "$i"
    done
  } >"$work/agents.csv"

  floor=$(calc "$AGENTS / $RATE_LIMIT")
  goal=1.10
  [[ $RATE_LIMIT -ge 1000 ]] && goal=1.15
  echo
  echo "== ladmin agent import: $AGENTS new agents, sandbox --latency $LATENCY --rate-limit $RATE_LIMIT"
  for run in $(seq 1 "$RUNS"); do
    start_server --latency "$LATENCY" --rate-limit "$RATE_LIMIT"
    export LADMIN_URL=$url
    t0=$(now)
    "$work/ladmin" agent import -f "$work/agents.csv" --report "$work/report.csv" >"$work/import.out" 2>"$work/import.err"
    wall=$(since "$t0")
    summary=$(tail -n 1 "$work/import.out")
    count=$("$work/ladmin" agent list --email 'bench*@acme.example' -o json | grep -c '"email"')
    ok=$(grep -c ',create,ok,' "$work/report.csv" || true)
    printf 'run %d: wall %.2f s   floor %.2f s   ratio %.3f (goal <= %s)\n' "$run" "$wall" "$floor" "$(calc "$wall / $floor")" "$goal"
    calc "$wall / $floor" >>"$work/ratios.$RATE_LIMIT"
    printf '       %s\n' "$summary"
    printf '       account holds %d bench agents; report: %d rows ok\n' "$count" "$ok"
    if [[ $count -ne $AGENTS ]]; then
      echo "MISMATCH: expected $AGENTS agents" >&2
      cat "$work/import.err" >&2
      exit 1
    fi
    stop_server
  done
  printf 'median ratio of %d runs: %s (goal <= %s)\n' "$RUNS" \
    "$(printf '%.3f' "$(median "$work/ratios.$RATE_LIMIT")")" "$goal"
done

echo
read -r -a cases <<<"$CASES"
RATE_LIMIT=${cases[0]%%:*}
echo "== sequential loop of $SEQ single 'ladmin agent create' calls, sandbox --latency $LATENCY --rate-limit $RATE_LIMIT"
start_server --latency "$LATENCY" --rate-limit "$RATE_LIMIT"
export LADMIN_URL=$url
# The parts a create cannot avoid, measured in the same run: one round trip
# (curl to /ping) and the start-up of the binary (ladmin version).
printf 'apikey: %s\n' "$LADMIN_API_KEY" >"$work/headers" # not on curl's command line
# curl's own timing, without the start of the curl process.
rtt=$(for i in $(seq 1 "$SEQ"); do
  curl -s -o /dev/null -w '%{time_total}\n' -H @"$work/headers" "$url/api/v3/ping"
done | awk '{ s += $1 } END { print s / NR }')
t0=$(now)
for i in $(seq 1 "$SEQ"); do
  "$work/ladmin" version >/dev/null
done
startup=$(calc "$(since "$t0") / $SEQ")
# The issue's loop: plain creates, one POST each once the caller and roles
# are in the account cache. Then the same with --department: the department
# names are read fresh each time (the cache holds only the caller and the
# roles), so that loop is set against two round trips.
loop() { # loop PREFIX [FLAGS...]: SEQ creates, prints the seconds
  local prefix=$1 t0
  shift
  t0=$(now)
  for i in $(seq 1 "$SEQ"); do
    "$work/ladmin" agent create --name "Seq Agent $i" --email "$prefix$i@acme.example" "$@" >/dev/null
  done
  since "$t0"
}
seq_wall=$(loop seq)
dept_wall=$(loop dept --department support)
stop_server
per=$(calc "$seq_wall / $SEQ")
dper=$(calc "$dept_wall / $SEQ")
printf '%d creates: %.2f s, %.0f ms each; one round trip %.0f ms + ladmin version %.0f ms = %.0f ms\n' \
  "$SEQ" "$seq_wall" "$(calc "$per * 1000")" "$(calc "$rtt * 1000")" "$(calc "$startup * 1000")" "$(calc "($rtt + $startup) * 1000")"
printf 'ratio of a create to one round trip + start-up: %.2f (goal <= 1.25)\n' "$(calc "$per / ($rtt + $startup)")"
printf '%d creates with --department: %.0f ms each; ratio to two round trips + start-up: %.2f\n' \
  "$SEQ" "$(calc "$dper * 1000")" "$(calc "$dper / (2 * $rtt + $startup)")"
printf 'a loop of 1000 plain creates: %.0f s (EXTRAPOLATED from %d)\n' "$(calc "$per * 1000")" "$SEQ"
