#!/usr/bin/env bash
# Measures what the README reports: launch to first interactive frame; idle memory of
# the whole process tree (the app plus WebKit's processes) beside the floor (a bare
# Tauri window with an empty page, tools/webview-floor, same profile, same run); what
# each WebKitGTK setting saves; idle CPU over 30 s; memory growth after 100 calls and
# 100 screen changes; the release binary's size.
# Prints the figures; needs a display, so it wraps itself in xvfb-run when none.
# Usage: scripts/measure.sh [RUNS]    (default 10 launches; the first, cold, is reported apart)
#   DIALTONE_COMPARE=path/to/another/dialtone-app also times and weighs that build in the
#   same run (a change's saving: build the tree before it, copy its binary aside).
#   GROWTH_ROUNDS=0 leaves out the growth measurement, which builds the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}

if [ -z "${DISPLAY:-}" ]; then
  exec xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- "$0" "$@"
fi

scripts/install-deps.sh --test >/dev/null
(cd ui && npm run --silent build >/dev/null)
cargo build --locked --release -p dialtone-app -p dialtone-webview-floor 2>&1 | tail -n 1
app=target/release/dialtone-app
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT

now_ms() { date +%s%3N; }

echo "== release binary"
size=$(stat -c %s "$app")
awk -v s="$size" 'BEGIN { printf "size: %.1f MB (%d bytes)\n", s/1e6, s }'

# Launches BINARY $runs times to its first interactive frame, with the environment
# given after it, and prints the figures; the floor prints the same line as Dialtone
# (tools/webview-floor/page/ready.js).
launches() {
  local label=$1 binary=$2 times=() i start line ready
  shift 2
  for i in $(seq 1 "$runs"); do
    start=$(now_ms)
    line=$(env "$@" DIALTONE_EXIT_AFTER_READY=1 RUST_LOG=warn "$binary" --data-dir "$data" | grep -m1 '^first-frame-unix-ms=')
    ready=${line#first-frame-unix-ms=}; ready=${ready%% *}
    times+=($((ready - start)))
  done
  echo "$label: first launch (cold caches): ${times[0]} ms"
  printf '%s\n' "${times[@]:1}" | sort -n | awk -v l="$label" '
    { v[NR] = $1 } END { printf "%s: warm launches: median %d ms, min %d ms, max %d ms (n=%d)\n", l, v[int((NR+1)/2)], v[1], v[NR], NR }'
}

echo "== what the first frame loads (ui/dist/index.html's script and styles; the other screens load on their first visit)"
for asset in $(grep -oE 'assets/[^"]+\.(js|css)' ui/dist/index.html); do
  awk -v a="$asset" -v s="$(stat -c %s "ui/dist/$asset")" 'BEGIN { printf "  %s: %.1f kB\n", a, s/1000 }'
done

floor=target/release/dialtone-webview-floor
# What dialtone-app sets for itself first thing (src-tauri/src/webview.rs, NO_GPU_ENV and
# NO_JIT_ENV): the floor gets the same for the rows marked "as Dialtone".
as_dialtone="WEBKIT_DISABLE_COMPOSITING_MODE=1 WEBKIT_DISABLE_DMABUF_RENDERER=1 JSC_useJIT=false"
echo "== launch to first interactive frame ($runs launches each)"
launches "floor" "$floor"
launches "floor as Dialtone (no GPU, no JIT)" "$floor" $as_dialtone
launches "Dialtone" "$app"
[ -n "${DIALTONE_COMPARE:-}" ] && launches "compared build" "$DIALTONE_COMPARE"

# The app and every descendant (WebKit's web and network processes).
tree() {
  local p=$1; echo "$p"
  for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do tree "$c"; done
}

# Prints each process's PSS and the total; leaves the total, in kB, in $pss_kb.
pss_of_tree() {
  local verbose=$1 total=0 anon_total=0
  for p in $(tree "$2"); do
    [ -r /proc/"$p"/smaps_rollup ] || continue
    local name pss rss anon
    name=$(cat /proc/"$p"/comm)
    pss=$(awk '/^Pss:/ { print $2 }' /proc/"$p"/smaps_rollup)
    rss=$(awk '/^Rss:/ { print $2 }' /proc/"$p"/smaps_rollup)
    anon=$(awk '/^Pss_Anon:/ { print $2 }' /proc/"$p"/smaps_rollup)
    [ "$verbose" = 1 ] && awk -v n="$name" -v s="$pss" -v r="$rss" -v a="${anon:-0}" \
      'BEGIN { printf "    %-22s PSS %6.1f MB (own %6.1f MB)  RSS %6.1f MB\n", n, s/1024, a/1024, r/1024 }'
    total=$((total + pss)); anon_total=$((anon_total + ${anon:-0}))
  done
  pss_kb=$total
  [ "$verbose" = 1 ] && awk -v s="$total" -v a="$anon_total" \
    'BEGIN { printf "    total PSS %.1f MB: %.1f MB the processes own memory (heap, JS), %.1f MB mapped code and files\n", s/1024, a/1024, (s-a)/1024 }'
  return 0
}

# How much of the process's own binary's code is resident, of its size: start-up code
# gathered by the linker (src-tauri/build.rs, startup_order) keeps this low.
code_resident() {
  local binary; binary=$(readlink -f /proc/"$1"/exe)
  awk -v b="$binary" '
    /^[0-9a-f]+-[0-9a-f]+ / { code = ($6 == b && $2 ~ /x/) }
    code && /^Size:/ { size += $2 } code && /^Rss:/ { rss += $2 }
    END { printf "    its own code resident: %.1f MB of %.1f MB\n", rss/1024, size/1024 }' /proc/"$1"/smaps
}

# Starts BINARY with the given environment, waits 10 s for it to settle, measures its
# tree (verbose when asked) and stops it. The total PSS in MB is left in $mb.
idle_tree() {
  local verbose=$1 binary=$2; shift 2
  env "$@" RUST_LOG=warn "$binary" --data-dir "$data" >/dev/null 2>&1 &
  local pid=$!
  sleep 10
  pss_of_tree "$verbose" "$pid"
  [ "$verbose" = 1 ] && code_resident "$pid"
  mb=$(awk -v s="$pss_kb" 'BEGIN { printf "%.1f", s/1024 }')
  kill "$pid"; wait "$pid" 2>/dev/null || true
  sleep 1
}

# The median over three launches of the idle PSS, in MB, in $median.
median_of_3() {
  local values=()
  for _ in 1 2 3; do idle_tree 0 "$@"; values+=("$mb"); done
  median=$(printf '%s\n' "${values[@]}" | sort -n | sed -n 2p)
  spread="${values[*]}"
}

echo "== idle memory of the process tree (PSS after 10 s; each the median of 3 launches)"
echo "  the floor, tools/webview-floor (Tauri 2, one 960x680 window, an empty page):"
idle_tree 1 "$floor"
median_of_3 "$floor"; floor_mb=$median
echo "  floor: $floor_mb MB (launches: $spread)"
# Dialtone paints without the GPU and runs scripts without the JIT (webview.rs); its own
# cost is measured against a floor that does the same, and the plain floor is shown
# beside it.
echo "  the floor as Dialtone ($as_dialtone, as Dialtone sets for itself):"
idle_tree 1 "$floor" $as_dialtone
median_of_3 "$floor" $as_dialtone; floor_as_mb=$median
echo "  floor as Dialtone: $floor_as_mb MB (launches: $spread)"
echo "  Dialtone:"
idle_tree 1 "$app"
median_of_3 "$app"; app_mb=$median
echo "  Dialtone: $app_mb MB (launches: $spread)"
awk -v a="$app_mb" -v f="$floor_as_mb" 'BEGIN { printf "  Dialtone above the floor as Dialtone (its own cost): %.1f MB\n", a - f }'
awk -v a="$app_mb" -v f="$floor_mb" 'BEGIN { printf "  Dialtone above the plain floor: %.1f MB\n", a - f }'
if [ -n "${DIALTONE_COMPARE:-}" ]; then
  echo "  the compared build, $DIALTONE_COMPARE:"
  idle_tree 1 "$DIALTONE_COMPARE"
  median_of_3 "$DIALTONE_COMPARE"
  echo "  compared build: $median MB (launches: $spread)"
  awk -v a="$app_mb" -v c="$median" 'BEGIN { printf "  Dialtone saves %.1f MB on the compared build\n", c - a }'
fi

echo "== what each WebKitGTK setting saves (webview.rs; DIALTONE_WEBKIT_KEEP leaves parts at WebKit's defaults)"
median_of_3 "$app" DIALTONE_WEBKIT_KEEP=all; none_mb=$median
echo "  none of them (WebKit's defaults): $none_mb MB (launches: $spread)"
for part in cache features pressure compositing jit; do
  median_of_3 "$app" DIALTONE_WEBKIT_KEEP=$part
  awk -v p="$part" -v m="$median" -v a="$app_mb" -v s="$spread" \
    'BEGIN { printf "  all but %-12s %6.1f MB: %s saves %.1f MB (launches: %s)\n", p ":", m, p, m - a, s }'
done
awk -v n="$none_mb" -v a="$app_mb" 'BEGIN { printf "  all of them save %.1f MB\n", n - a }'

echo "== idle CPU of the process tree over 30 s"
RUST_LOG=warn "$app" --data-dir "$data" >/dev/null 2>&1 &
pid=$!
sleep 10
ticks() { local t=0; for p in $(tree "$pid"); do
  t=$((t + $(awk '{ print $14 + $15 }' /proc/"$p"/stat 2>/dev/null || echo 0))); done; echo "$t"; }
before=$(ticks); sleep 30; after=$(ticks)
awk -v d=$((after - before)) -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "  idle CPU: %.2f %% of one core (%d ticks in 30 s)\n", d / hz / 30 * 100, d }'
kill "$pid"; wait "$pid" 2>/dev/null || true

if [ "${GROWTH_ROUNDS:-3}" = 0 ]; then
  echo "== memory growth: skipped (GROWTH_ROUNDS=0)"
  exit 0
fi
echo "== memory growth over rounds of 100 calls, then rounds of 100 screen changes (GROWTH_ROUNDS, default 3; through WebDriver, a stand-in provider)"
cargo test --locked --workspace --no-run 2>&1 | tail -n 1
GROWTH_ROUNDS=${GROWTH_ROUNDS:-3} DIALTONE_APP_BIN="$PWD/$app" scripts/with-keychain.sh cargo test --locked --workspace --test growth -- --ignored --nocapture 2>&1 \
  | grep -E '^(  |growth)' || echo "  the growth measurement failed: run it alone to see why"
