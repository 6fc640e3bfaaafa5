#!/usr/bin/env bash
# Builds Dialtone's Linux packages, .deb and .rpm, with Tauri's bundler: the app, the
# `dialtone` command, the icons, and the desktop file that registers tel:, callto:,
# sip:, facetime: and facetime-audio: links.
# Usage: scripts/package.sh           release packages (target/release/bundle/{deb,rpm}/)
#        scripts/package.sh --debug   packages of the debug build the test suite makes
#                                     (target/debug/bundle/), for tests/package/deb.sh
# No AppImage: Tauri's AppImage bundler downloads its tools (linuxdeploy) while it runs.
set -euo pipefail
cd "$(dirname "$0")/.."

profile=release
[ "${1:-}" = "--debug" ] && profile=debug

scripts/install-deps.sh
(cd ui && npm run --silent build)
if [ "$profile" = release ]; then
  cargo build --locked --release -p dialtone-app -p dialtone-cli
  bundle_flags=()
else
  # The same selection as scripts/test.sh's `cargo test`, so nothing is rebuilt there.
  cargo test --locked --workspace --no-run
  bundle_flags=(--debug)
fi

# tauri.conf.json points the `dialtone` command at the release build; a debug package
# takes the debug one.
rm -rf target/"$profile"/bundle/deb target/"$profile"/bundle/rpm
files="{\"/usr/bin/dialtone\": \"../target/$profile/dialtone\"}"
(cd src-tauri && ../ui/node_modules/.bin/tauri bundle "${bundle_flags[@]}" --bundles deb,rpm \
  --config "{\"bundle\": {\"linux\": {\"deb\": {\"files\": $files}, \"rpm\": {\"files\": $files}}}}")

echo
for f in target/"$profile"/bundle/deb/*.deb target/"$profile"/bundle/rpm/*.rpm; do
  stat -c '%s %n' "$f" | awk '{ printf "%-60s %5.1f MB\n", $2, $1 / 1e6 }'
done
