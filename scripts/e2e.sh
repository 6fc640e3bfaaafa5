#!/usr/bin/env bash
# Runs the end-to-end suite (tests/e2e) against the real window under Xvfb.
# Usage: scripts/e2e.sh [--test NAME ...] [-- test-binary args]
#   with no --test, every file in tests/e2e/tests/ runs.
#
# Cargo unifies dependency features over the packages a command selects, so
# `cargo build -p dialtone-app` or `cargo test -p dialtone-e2e` each see a smaller
# graph than the plain `cargo test` that scripts/test.sh runs first, and rebuild
# about 120 crates (syn, tokio, hyper...) with other features: minutes on two cores.
# Selecting the whole workspace and naming the e2e test targets keeps the features
# identical, so only the e2e crate itself compiles. The app binary is the one
# `cargo test` builds for src-tauri's own integration tests (target/debug/dialtone-app).
set -euo pipefail
cd "$(dirname "$0")/.."

targets=()
while [[ $# -gt 0 && $1 != -- ]]; do
  case $1 in
    --test) targets+=(--test "$2"); shift 2 ;;
    *) echo "e2e.sh: unknown argument $1 (use --test NAME, then -- for the test binaries)" >&2; exit 2 ;;
  esac
done
[[ ${1:-} == -- ]] && shift
if [[ ${#targets[@]} -eq 0 ]]; then
  for f in tests/e2e/tests/*.rs; do targets+=(--test "$(basename "$f" .rs)"); done
fi

# Builds dialtone-app's binary and every test binary with the same features as `cargo test`.
cargo test --locked --workspace --no-run
xvfb-run -a -s "-screen 0 1280x800x24" \
  scripts/with-keychain.sh scripts/with-audio.sh \
  cargo test --locked --workspace "${targets[@]}" -- --test-threads=1 "$@"
