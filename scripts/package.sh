#!/usr/bin/env bash
# Builds Dialtone's Linux packages, .deb and .rpm, with Tauri's bundler: the app, the
# `dialtone` command, the icons, and the desktop file that registers tel:, callto:,
# sip:, facetime: and facetime-audio: links.
# Usage: scripts/package.sh           release packages (target/release/bundle/{deb,rpm}/)
#        scripts/package.sh --debug   packages of the debug build the test suite makes
#                                     (target/debug/bundle/), for tests/package/deb.sh
# No AppImage: Tauri's AppImage bundler downloads its tools (linuxdeploy) while it runs.
#
# Signed updates: with TAURI_SIGNING_PRIVATE_KEY_PATH (or TAURI_SIGNING_PRIVATE_KEY) set,
# and TAURI_SIGNING_PRIVATE_KEY_PASSWORD if the key has one, each package is signed for
# its version (`tauri signer sign --app-version`, which the updater's requireSignedVersion
# checks) and bundle/latest.json is written: the manifest to publish at the updater
# endpoint in tauri.conf.json, beside the packages, which it names under
# DIALTONE_RELEASE_URL (default: the GitHub release of this version).
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

# Tauri's bundler packs the .deb's files with gzip. xz, which dpkg has read since 1.15,
# makes the release .deb 28 % smaller (16.5 -> 11.9 MB); it is repacked before it is
# signed below. The debug package gets xz's fastest level: the test suite installs it.
if command -v dpkg-deb >/dev/null; then
  level=6
  [ "$profile" = debug ] && level=1
  for deb in target/"$profile"/bundle/deb/*.deb; do
    unpacked=$(mktemp -d)
    dpkg-deb -R "$deb" "$unpacked"
    dpkg-deb --root-owner-group -Zxz -z"$level" -b "$unpacked" "$deb" >/dev/null
    rm -rf "$unpacked"
  done
else
  echo "dpkg-deb is missing: the .deb stays as Tauri packed it (gzip)"
fi

echo
for f in target/"$profile"/bundle/deb/*.deb target/"$profile"/bundle/rpm/*.rpm; do
  stat -c '%s %n' "$f" | awk '{ printf "%-60s %5.1f MB\n", $2, $1 / 1e6 }'
done

if [ -n "${TAURI_SIGNING_PRIVATE_KEY_PATH:-}${TAURI_SIGNING_PRIVATE_KEY:-}" ]; then
  version=$(node -p 'require("./src-tauri/tauri.conf.json").version')
  base=${DIALTONE_RELEASE_URL:-https://github.com/dialtone-app/dialtone/releases/download/v$version}
  deb=$(ls target/"$profile"/bundle/deb/*.deb)
  rpm=$(ls target/"$profile"/bundle/rpm/*.rpm)
  for f in "$deb" "$rpm"; do
    # -p always: an unset password would make the signer ask for one and wait.
    ui/node_modules/.bin/tauri signer sign -p "${TAURI_SIGNING_PRIVATE_KEY_PASSWORD:-}" --app-version "$version" "$f" >/dev/null
  done
  manifest=target/"$profile"/bundle/latest.json
  VERSION=$version BASE=$base DEB=$deb RPM=$rpm node -e '
    const fs = require("fs"), path = require("path");
    const entry = (file) => ({ signature: fs.readFileSync(file + ".sig", "utf8"), url: process.env.BASE + "/" + path.basename(file) });
    const manifest = {
      version: process.env.VERSION,
      notes: process.env.DIALTONE_RELEASE_NOTES || "",
      pub_date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
      platforms: { "linux-x86_64-deb": entry(process.env.DEB), "linux-x86_64-rpm": entry(process.env.RPM) },
    };
    fs.writeFileSync(process.argv[1], JSON.stringify(manifest, null, 2) + "\n");
  ' "$manifest"
  echo "signed for $version; update manifest: $manifest"
fi
