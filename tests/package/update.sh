#!/usr/bin/env bash
# A real update, the way a person gets one: the .deb is installed, the next version's
# package (this one repacked with a higher version) is signed with the test key and
# offered by a local update server, and the installed app, through its window,
# downloads, verifies and installs it with the system's installer (pkexec, else sudo).
# Afterwards dpkg has the new version, and purging leaves nothing behind.
# Usage: tests/package/update.sh PATH.deb PRIVATE_KEY PUBLIC_KEY_FILE  (needs root or sudo, a display)
set -euo pipefail
deb=$(realpath "${1:?usage: tests/package/update.sh PATH.deb PRIVATE_KEY PUBLIC_KEY_FILE}")
key=${2:?usage}; public=${3:?usage}
cd "$(dirname "$0")/../.."
fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }
sudo_cmd=(); [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
work=$(mktemp -d)
trap '"${sudo_cmd[@]}" apt-get purge -y -qq dialtone >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

dpkg-query -W dialtone >/dev/null 2>&1 && fail "a dialtone package is already installed; remove it first"
current=$(dpkg-deb -f "$deb" Version)
next=$(awk -F. -v OFS=. '{ $3 += 1; print }' <<<"$current")
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "$deb" >/dev/null
[ "$(dpkg-query -W -f='${Version}' dialtone)" = "$current" ] || fail "$current did not install"
pass "Dialtone $current installed from $(basename "$deb")"

dpkg-deb -R "$deb" "$work/pkg"
sed -i "s/^Version: .*/Version: $next/" "$work/pkg/DEBIAN/control"
dpkg-deb -b --root-owner-group "$work/pkg" "$work/Dialtone_${next}_amd64.deb" >/dev/null
ui/node_modules/.bin/tauri signer sign -p "" -f "$key" --app-version "$next" "$work/Dialtone_${next}_amd64.deb" >/dev/null

DIALTONE_APP_BIN=/usr/bin/dialtone-app \
DIALTONE_UPDATE_PACKAGE="$work/Dialtone_${next}_amd64.deb" \
DIALTONE_UPDATE_SIGNATURE_FILE="$work/Dialtone_${next}_amd64.deb.sig" \
DIALTONE_UPDATE_VERSION="$next" \
DIALTONE_UPDATE_PUBKEY="$(cat "$public")" \
  cargo test --locked --workspace --test installed_update -- --ignored --test-threads=1
installed=$(dpkg-query -W -f='${Version}' dialtone)
[ "$installed" = "$next" ] || fail "after the update dpkg has $installed, not $next"
pass "the installed app updated itself from $current to $next through dpkg"
"${sudo_cmd[@]}" apt-get purge -y -qq dialtone >/dev/null
[ ! -e /usr/bin/dialtone-app ] || fail "purging left /usr/bin/dialtone-app"
pass "purged"
