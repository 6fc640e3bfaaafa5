#!/usr/bin/env bash
# Runs Dialtone's whole test suite, installing whatever it needs first.
# Safe to run again: installs are skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

# Each step says how long the one before it took, so a slow CI run shows where.
last=$SECONDS
step() {
  [[ -n ${current:-} ]] && printf '<== %s: %d s\n' "$current" $((SECONDS - last))
  local name="$*"
  current=${name:0:60} last=$SECONDS
  printf '\n==> %s\n' "$*"
}

step "dependencies"
scripts/install-deps.sh --test

step "UI: type check and unit tests"
(cd ui && npm run --silent check && npm test --silent)

step "UI: build"
(cd ui && npm run --silent build)

step "Rust: formatting"
cargo fmt --all --check

step "Rust: unit, integration, contract and binding tests (real Secret Service, PulseAudio, zbarimg; SIP against kamailio and baresip in a private network namespace)"
scripts/with-keychain.sh scripts/with-audio.sh cargo test --locked

step "end to end: the real window under Xvfb, tauri-driver and WebKitWebDriver"
scripts/e2e.sh

step "packages: the .deb and .rpm from the debug build, signed for updates with a throwaway key; the .deb installed on this machine, opened, purged; installed again and updated by the app itself"
keys=$(mktemp -d)
trap 'rm -rf "$keys"' EXIT
ui/node_modules/.bin/tauri signer generate --ci -p "" -f -w "$keys/update.key" >/dev/null
TAURI_SIGNING_PRIVATE_KEY_PATH="$keys/update.key" TAURI_SIGNING_PRIVATE_KEY_PASSWORD="" scripts/package.sh --debug
tests/package/signed.sh target/debug/bundle "$keys/update.key.pub"
xvfb-run -a -s "-screen 0 1280x800x24" scripts/with-keychain.sh tests/package/deb.sh target/debug/bundle/deb/*.deb
tests/package/rpm.sh target/debug/bundle/rpm/*.rpm target/debug/bundle/deb/*.deb
xvfb-run -a -s "-screen 0 1280x800x24" scripts/with-keychain.sh scripts/with-audio.sh \
  tests/package/update.sh target/debug/bundle/deb/*.deb "$keys/update.key" "$keys/update.key.pub"

step "done"
echo "All tests passed in $SECONDS s. Screenshots of the window: artifacts/e2e/"
