#!/usr/bin/env bash
# Regenerates ui/src/lib/bindings.ts from the Rust command signatures.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f ui/dist/index.html ] || (cd ui && npm run --silent build)
DIALTONE_UPDATE_BINDINGS=1 cargo test --locked -p dialtone-app --lib ipc::tests::bindings_are_fresh
echo "ui/src/lib/bindings.ts is up to date"
