#!/usr/bin/env bash
# Start-up time of `ladmin version` (issue 7): it must do no work a command
# does not need, so no config file is read and nothing is dialled.
#
# Builds ladmin as a release would (-trimpath -s -w), then
#   1. shows that `ladmin version` succeeds silently with a config file that
#      is garbage and readable by others (reading it would print a warning
#      and fail with exit 2), and, when strace is installed, that it opens no
#      config file and creates no socket;
#   2. times RUNS runs of `ladmin version` with hyperfine when installed
#      (apt-get install -y hyperfine), else with a bash loop over date +%s%N,
#      next to the floor of the mandated design, bench/startupfloor (a program
#      linking only cobra and viper, built in the same run the same way), and
#      an empty Go program, prints the means in ms and ladmin's ratio to the
#      floor (goal, issue 15: at most 1.5);
#   3. shows how much of it is package initialisation, and which packages.
#
# Usage: bench/startup.sh                (from anywhere in the repository)
#        RUNS=1000 bench/startup.sh
set -euo pipefail

RUNS=${RUNS:-200}

cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

echo "building ladmin..."
go build -trimpath -ldflags "-s -w -X main.version=bench" -o "$work/ladmin" ./cmd/ladmin
mkdir -p "$work/empty"
printf 'package main\n\nfunc main() {}\n' > "$work/empty/main.go"
(cd "$work/empty" && GO111MODULE=off GOFLAGS= go build -trimpath -ldflags "-s -w" -o "$work/empty-go" main.go)
go build -trimpath -ldflags "-s -w" -o "$work/floor" ./bench/startupfloor
ladmin=$work/ladmin

echo
echo "== no config read: a garbage config file readable by others"
home=$work/home
mkdir -p "$home/.config/ladmin"
printf 'profiles: [this is: not {valid yaml\n\t- at all\n' > "$home/.config/ladmin/config.yaml"
chmod 0644 "$home/.config/ladmin/config.yaml"
# The same file makes a command that reads the config fail, so the check is not vacuous.
set +e
HOME=$home XDG_CONFIG_HOME= "$ladmin" config list > /dev/null 2> "$work/config-list.err"
reads=$?
HOME=$home XDG_CONFIG_HOME= "$ladmin" version > "$work/version.out" 2> "$work/version.err"
code=$?
set -e
echo "ladmin config list (reads it): exit $reads: $(head -n 1 "$work/config-list.err")"
echo "ladmin version:                exit $code: $(cat "$work/version.out")"
if [[ $reads -eq 0 ]]; then
  echo "FAIL: the garbage config file was not noticed by config list; the check proves nothing" >&2
  exit 1
fi
if [[ $code -ne 0 || -s $work/version.err ]]; then
  echo "FAIL: ladmin version read the config file:" >&2
  cat "$work/version.err" >&2
  exit 1
fi

if command -v strace > /dev/null; then
  echo
  echo "== no config opened, no socket created (strace -f)"
  HOME=$home XDG_CONFIG_HOME= strace -f -qq -o "$work/strace.out" \
    -e trace=open,openat,socket,connect "$ladmin" version > /dev/null
  opened=$(grep -c 'ladmin/config' "$work/strace.out" || true)
  sockets=$(grep -cE '(^|[0-9] )(socket|connect)\(' "$work/strace.out" || true)
  echo "config file opens: $opened, socket/connect calls: $sockets"
  if [[ $opened -ne 0 || $sockets -ne 0 ]]; then
    echo "FAIL: ladmin version touched the config or the network:" >&2
    grep -E 'ladmin/config|socket\(|connect\(' "$work/strace.out" >&2
    exit 1
  fi
else
  echo "(strace not installed: skipping the syscall check; apt-get install -y strace)"
fi

echo
echo "== start-up time over $RUNS runs"
if command -v hyperfine > /dev/null; then
  hyperfine --shell=none --warmup 20 --runs "$RUNS" --style basic \
    --export-csv "$work/times.csv" \
    --command-name "ladmin version" "$ladmin version" \
    --command-name "cobra+viper floor" "$work/floor version" \
    --command-name "empty Go program" "$work/empty-go" > "$work/hyperfine.out" 2> "$work/hyperfine.err" ||
    { cat "$work/hyperfine.err" >&2; exit 1; }
  if grep -q outliers "$work/hyperfine.err"; then
    echo "(hyperfine saw statistical outliers: other work on this machine; the min is the least disturbed figure)"
  fi
  # command,mean,stddev,median,user,system,min,max (seconds)
  awk -F, 'NR > 1 { printf "%-20s mean %6.2f ms  stddev %5.2f ms  min %5.2f ms  max %6.2f ms\n", $1":", $2*1000, $3*1000, $7*1000, $8*1000 }' "$work/times.csv"
  ladmin_ms=$(awk -F, '$1 == "ladmin version" { print $2 * 1000 }' "$work/times.csv")
  floor_ms=$(awk -F, '$1 == "cobra+viper floor" { print $2 * 1000 }' "$work/times.csv")
  tool="hyperfine $(hyperfine --version | awk '{print $2}')"
else
  # The three programs take turns, run after run, so that the load of a
  # shared machine falls on all of them alike.
  for ((i = 0; i < 10; i++)); do "$ladmin" version > /dev/null; "$work/floor" version > /dev/null; done # warm-up
  t_ladmin=0 t_floor=0 t_empty=0
  for ((i = 0; i < RUNS; i++)); do
    s=$(date +%s%N); "$ladmin" version > /dev/null; e=$(date +%s%N); t_ladmin=$((t_ladmin + e - s))
    s=$(date +%s%N); "$work/floor" version > /dev/null; e=$(date +%s%N); t_floor=$((t_floor + e - s))
    s=$(date +%s%N); "$work/empty-go" > /dev/null; e=$(date +%s%N); t_empty=$((t_empty + e - s))
  done
  ms() { awk -v t="$1" -v n="$RUNS" 'BEGIN { printf "%.2f", t / n / 1e6 }'; }
  ladmin_ms=$(ms $t_ladmin) floor_ms=$(ms $t_floor)
  echo "ladmin version:     mean $ladmin_ms ms"
  echo "cobra+viper floor:  mean $floor_ms ms"
  echo "empty Go program:   mean $(ms $t_empty) ms"
  tool="a bash loop (includes the cost of date; install hyperfine for better figures)"
fi
echo "($tool, $RUNS runs, $(nproc) CPUs, binary $(du -h "$ladmin" | cut -f1))"
awk -v l="$ladmin_ms" -v f="$floor_ms" 'BEGIN { printf "ladmin version / cobra+viper floor: %.2fx (goal <= 1.50)\n", l / f }'

echo
echo "== where start-up goes: package initialisation (GODEBUG=inittrace=1, mean of 5 runs)"
# Lines: "init PKG @T ms, D ms clock, B bytes, N allocs". Every imported
# package initialises, whether or not the command uses it.
inits() { # inits BINARY: "PKG MEAN_MS" per package, sorted by name
  for _ in 1 2 3 4 5; do GODEBUG=inittrace=1 "$1" version 2>&1 >/dev/null; done |
    awk '$1 == "init" { t[$2] += $5; n[$2]++ } END { for (p in t) print p, t[p] / n[p] }' | sort
}
inits "$ladmin" >"$work/init.ladmin"
inits "$work/floor" >"$work/init.floor"
awk '{ t += $2 } END { printf "all packages: %.1f ms (the floor'"'"'s: ", t }' "$work/init.ladmin"
awk '{ t += $2 } END { printf "%.1f ms)\n", t }' "$work/init.floor"
join -v1 "$work/init.ladmin" "$work/init.floor" >"$work/init.only"
awk '{ t += $2; if ($1 ~ /^github.com\/ladmin\//) o += $2 } END { printf "packages the floor does not link: %.2f ms, of which ladmin'"'"'s own: %.2f ms; the slowest:\n", t, o }' "$work/init.only"
sort -k2 -rn "$work/init.only" | head -n 8 | awk '{ printf "  %5.2f ms  %s\n", $2, $1 }'
