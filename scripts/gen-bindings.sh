#!/usr/bin/env bash
# Regenerates ui/src/lib/bindings.ts from the Rust command signatures.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f ui/dist/index.html ] || (cd ui && npm run --silent build)
# The whole workspace, as scripts/test.sh builds it: `-p dialtone-app` alone would
# unify features over a smaller graph and rebuild about 120 crates (see scripts/e2e.sh).
DIALTONE_UPDATE_BINDINGS=1 cargo test --locked --workspace --lib ipc::tests::bindings_are_fresh
echo "ui/src/lib/bindings.ts is up to date"
