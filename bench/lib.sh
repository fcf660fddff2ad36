# Shared by the bench scripts (sourced, not run): a temp dir, ladmin built
# into it, a sandbox to start and stop, and GNU time's figures.
#
# After sourcing: the working directory is the repository, $work is a temp
# dir removed on exit, and the environment points every file ladmin keeps
# (config, cache, journal) into $work, so a bench never touches the
# developer's own. build_ladmin builds ladmin at $work/ladmin.

cd "$(dirname "${BASH_SOURCE[0]}")/.."
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

# start_server [SANDBOX FLAGS...] starts a fresh in-memory sandbox with
# those flags, waits (up to 120 s) for its URL and sets $url. Its stdout is
# $work/server.out, its stderr $work/server.log.
start_server() {
  : >"$work/server.out"
  "$work/ladmin" sandbox serve --db :memory: --addr 127.0.0.1:0 "$@" \
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
  echo "the sandbox did not print its URL within 120 s" >&2
  exit 1
}

# need_gnu_time exits unless GNU time (which reports memory) is installed.
need_gnu_time() {
  if [[ ! -x /usr/bin/time ]]; then
    echo "$(basename "$0") needs GNU time: apt-get install -y time" >&2
    exit 2
  fi
}

# time_figures FILE prints what `/usr/bin/time -v -o FILE` measured: wall
# seconds, CPU seconds (user + system) and peak RSS in MiB.
time_figures() {
  local wall cpu rss
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$1" |
    awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.2f", s }')
  cpu=$(awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.2f", s }' "$1")
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$1" | awk '{ printf "%.1f", $1 / 1024 }')
  echo "$wall $cpu $rss"
}

# median FILE prints the median of the numbers in FILE, one per line.
median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

build_ladmin() {
  echo "building ladmin..."
  go build -o "$work/ladmin" ./cmd/ladmin
}

export XDG_CONFIG_HOME="$work/config" XDG_CACHE_HOME="$work/cache" XDG_STATE_HOME="$work/state"
unset LADMIN_PROFILE LADMIN_OUTPUT LADMIN_TIMEOUT LADMIN_DEBUG LADMIN_JOURNAL
