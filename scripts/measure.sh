#!/usr/bin/env bash
# Measures what the README reports: launch to first interactive frame, idle memory of
# the whole app process tree (the app plus WebKit's processes), and the release binary's
# size. Prints the figures; needs a display, so it wraps itself in xvfb-run when none.
# Usage: scripts/measure.sh [RUNS]    (default 10 launches; the first, cold, is reported apart)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}

if [ -z "${DISPLAY:-}" ]; then
  exec xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- "$0" "$@"
fi

scripts/install-deps.sh --test >/dev/null
(cd ui && npm run --silent build >/dev/null)
cargo build --locked --release -p dialtone-app 2>&1 | tail -n 1
app=target/release/dialtone-app
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT

now_ms() { date +%s%3N; }

echo "== release binary"
size=$(stat -c %s "$app")
awk -v s="$size" 'BEGIN { printf "size: %.1f MB (%d bytes)\n", s/1e6, s }'

echo "== launch to first interactive frame ($runs launches)"
times=()
for i in $(seq 1 "$runs"); do
  start=$(now_ms)
  line=$(DIALTONE_EXIT_AFTER_READY=1 RUST_LOG=warn "$app" --data-dir "$data" | grep -m1 '^first-frame-unix-ms=')
  ready=${line#first-frame-unix-ms=}; ready=${ready%% *}
  times+=($((ready - start)))
done
echo "first launch (cold caches): ${times[0]} ms"
printf '%s\n' "${times[@]:1}" | sort -n | awk '
  { v[NR] = $1 } END { printf "warm launches: median %d ms, min %d ms, max %d ms (n=%d)\n", v[int((NR+1)/2)], v[1], v[NR], NR }'

echo "== idle memory of the process tree"
RUST_LOG=warn "$app" --data-dir "$data" &
pid=$!
sleep 10
tree() {  # the app and every descendant
  local p=$1; echo "$p"
  for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do tree "$c"; done
}
total_pss=0; total_rss=0; total_anon=0
for p in $(tree "$pid"); do
  [ -r /proc/"$p"/smaps_rollup ] || continue
  name=$(cat /proc/"$p"/comm)
  pss=$(awk '/^Pss:/ { print $2 }' /proc/"$p"/smaps_rollup)
  rss=$(awk '/^Rss:/ { print $2 }' /proc/"$p"/smaps_rollup)
  anon=$(awk '/^Pss_Anon:/ { print $2 }' /proc/"$p"/smaps_rollup)
  total_anon=$((total_anon + ${anon:-0}))
  awk -v n="$name" -v p="$p" -v s="$pss" -v r="$rss" 'BEGIN { printf "  %-22s pid %-7s PSS %6.1f MB  RSS %6.1f MB\n", n, p, s/1024, r/1024 }'
  total_pss=$((total_pss + pss)); total_rss=$((total_rss + rss))
done
awk -v s="$total_pss" -v r="$total_rss" -v a="$total_anon" 'BEGIN {
  printf "total: PSS %.1f MB, RSS %.1f MB\n", s/1024, r/1024
  printf "  of the PSS: %.1f MB is the processes own memory (heap, JS), %.1f MB mapped code and files (mostly WebKitGTK libraries)\n", a/1024, (s-a)/1024 }'
kill "$pid"; wait "$pid" 2>/dev/null || true
