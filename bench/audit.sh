#!/usr/bin/env bash
# Benchmark of `ladmin audit` and `ladmin agent export` on large accounts
# (issues 6 and 15).
#
# Builds ladmin and, for each size in SIZES, starts a sandbox seeded with that
# many agents that answers every request after LATENCY, then runs RUNS times
# each of `ladmin audit --policy testdata/policy.yaml --format json` and
# `ladmin agent export -o csv` under GNU time. Per run it prints the wall time,
# the client's CPU time, the number of API requests (from the sandbox's own
# request log) and the peak resident memory; then, per command, the median
# wall time of each size and the ratio of the largest size to the smallest
# (linear is 5.0 for 100,000 vs 20,000). Absolute times on a shared machine
# are noisy; the ratio is measured in the same run, side by side.
#
# Goals (issue 15): audit and export of 100,000 agents under 3 s each at
# 50 ms latency, and 100,000 at most 6x the time of 20,000. Issue 6: audit of
# 20,000 under 1 s and 64 MiB.
#
# Usage: bench/audit.sh                              (from anywhere in the repository)
#        SIZES="20000 100000" LATENCY=50ms RUNS=3 bench/audit.sh
#
# Needs GNU time at /usr/bin/time (the shell's `time` keyword cannot report
# memory). On Debian/Ubuntu: apt-get install -y time
set -euo pipefail

SIZES=${SIZES:-20000 100000}
LATENCY=${LATENCY:-50ms}
RUNS=${RUNS:-3}
POLICY=${POLICY:-testdata/policy.yaml}

# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
need_gnu_time
build_ladmin

requests() { grep -c 'msg=request' "$work/server.log" || true; }

# measure NAME CMD... runs the command RUNS times, prints a line per run and
# appends the wall times to $work/NAME.times.
measure() {
  local name=$1 run before after status wall_s cpu_s rss_mib
  shift
  for run in $(seq 1 "$RUNS"); do
    before=$(requests)
    status=0
    /usr/bin/time -v -o "$work/time.txt" "$@" >"$work/out" 2>"$work/err" || status=$?
    after=$(requests)
    # audit: exit 1 (findings) is a completed audit; anything else fails.
    if [[ $status -ne 0 && ! ($name == audit && $status -eq 1) ]]; then
      echo "ladmin $name failed with exit $status:" >&2
      cat "$work/err" >&2
      exit 1
    fi
    read -r wall_s cpu_s rss_mib <<<"$(time_figures "$work/time.txt")"
    printf '%-8s %7s %4s %8s %12s %10s %14.1f %6s %10s\n' "$name" "$agents" "$run" "$wall_s" "$cpu_s" \
      "$((after - before))" "$rss_mib" "$status" "$(wc -c <"$work/out")"
    echo "$wall_s" >>"$work/$name.$agents.times"
  done
}

printf '%-8s %7s %4s %8s %12s %10s %14s %6s %10s\n' command agents run wall_s client_cpu_s requests peak_rss_MiB exit out_bytes
for agents in $SIZES; do
  # --debug makes the sandbox log one line per request on stderr: the count.
  start_server --seed-agents "$agents" --latency "$LATENCY" --debug
  export LADMIN_URL=$url LADMIN_API_KEY=sandbox-owner-key
  measure audit "$work/ladmin" audit --policy "$POLICY" --format json
  measure export "$work/ladmin" agent export -o csv
  stop_server
done

echo
echo "medians of $RUNS runs at --latency $LATENCY ($(nproc) CPUs, shared):"
read -r -a sizes <<<"$SIZES"
small=${sizes[0]} large=${sizes[${#sizes[@]} - 1]}
for name in audit export; do
  line="$name:"
  for agents in $SIZES; do
    line+=" $agents agents $(median "$work/$name.$agents.times") s;"
  done
  ratio=$(awk -v a="$(median "$work/$name.$large.times")" -v b="$(median "$work/$name.$small.times")" 'BEGIN { printf "%.2f", a / b }')
  linear=$(awk -v a="$large" -v b="$small" 'BEGIN { printf "%.1f", a / b }')
  echo "$line ratio $large/$small = ${ratio}x (linear: ${linear}x)"
done
echo "goals: each under 3 s at 100000 agents; 100000 at most 6x 20000"
