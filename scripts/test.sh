#!/usr/bin/env bash
# Runs Dialtone's whole test suite, installing whatever it needs first.
# Safe to run again: installs are skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "dependencies"
scripts/install-deps.sh --test

step "UI: type check and unit tests"
(cd ui && npm run --silent check && npm test --silent)

step "UI: build"
(cd ui && npm run --silent build)

step "Rust: formatting"
cargo fmt --all --check

# One cargo test over the whole workspace, end-to-end suite included: every test is
# built with one feature set, where separate runs for the crates and the window tests
# built over a hundred crates twice. The end-to-end tests take turns by themselves
# (tests/e2e/src/lib.rs), so the other tests keep running in parallel.
step "Rust: the app, for the end-to-end suite"
cargo build --locked -p dialtone-app
step "Rust: every test: unit, integration, contract, bindings, SIP against kamailio and baresip in a private network namespace, and end to end in the real window under Xvfb, tauri-driver and WebKitWebDriver (real Secret Service, PulseAudio, zbarimg)"
xvfb-run -a -s "-screen 0 1280x800x24" \
  scripts/with-keychain.sh scripts/with-audio.sh cargo test --locked --workspace
echo
echo "All tests passed. Screenshots of the window: artifacts/e2e/"
