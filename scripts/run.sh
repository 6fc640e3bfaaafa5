#!/usr/bin/env bash
# Builds Dialtone (installing whatever is missing) and opens the app.
# Arguments are passed to the app, e.g. scripts/run.sh --data-dir /tmp/dialtone
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
(cd ui && npm run --silent build)
cargo build --locked --release -p dialtone-app -p dialtone-cli
echo "Built target/release/dialtone-app and target/release/dialtone; opening the window."
exec target/release/dialtone-app "$@"
