#!/usr/bin/env bash
# Runs a test command many times in a row while every core is kept busy by other
# processes, and counts the passes: how we check that audio, network and window tests
# pass every time, on a machine as loaded as a person's (or CI's) can be.
#
# Usage: scripts/soak.sh RUNS COMMAND [ARGS...]
#   e.g. scripts/soak.sh 20 scripts/with-audio.sh cargo test -p dialtone-audio --test pulse
# Build the tests first (cargo test --no-run), so the runs time the tests, not the build.
# Logs of failed runs are kept in artifacts/soak/.
set -uo pipefail
cd "$(dirname "$0")/.."

runs=${1:?usage: scripts/soak.sh RUNS COMMAND [ARGS...]}
shift
[ $# -gt 0 ] || { echo "usage: scripts/soak.sh RUNS COMMAND [ARGS...]" >&2; exit 2; }

busy=()
for _ in $(seq "$(nproc)"); do
  (while :; do :; done) &
  busy+=($!)
done
trap 'kill "${busy[@]}" 2>/dev/null' EXIT

mkdir -p artifacts/soak
passed=0
failed=0
for run in $(seq "$runs"); do
  log="artifacts/soak/run-$run.log"
  if "$@" >"$log" 2>&1; then
    passed=$((passed + 1))
    rm -f "$log"
    echo "run $run: passed"
  else
    failed=$((failed + 1))
    echo "run $run: FAILED (log: $log)"
  fi
done
echo "soak: $passed passed, $failed failed, with $(nproc) busy loops on $(nproc) cores: $*"
[ "$failed" -eq 0 ]
