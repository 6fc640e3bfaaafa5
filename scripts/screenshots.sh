#!/usr/bin/env bash
# Regenerates the README's screenshots from the end-to-end run: the real window, with
# real content (a provider, a typed number, calls in History, contacts), under Xvfb.
# Usage: scripts/screenshots.sh   (then look at docs/screenshots/ and commit them)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
(cd ui && npm run --silent build)
scripts/e2e.sh --test calling --test window --test facetime_audio --test live
cargo test --locked --test browser
# artifacts/e2e name → docs/screenshots name
for pair in dialpad-number:dialpad facetime-link:facetime-link settings-providers:settings-providers \
            contacts:contacts history:history settings-dark:settings-dark narrow:narrow \
            facetime-audio-in-browser:facetime-audio facetime-audio-page:facetime-audio-page \
            live-call-connected:live-call live-call-incoming:live-call-incoming live-call-devices:live-call-devices; do
  cp "artifacts/e2e/${pair%%:*}.png" "docs/screenshots/${pair##*:}.png"
done
echo "docs/screenshots/ regenerated from artifacts/e2e/"
