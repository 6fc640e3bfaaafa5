#!/usr/bin/env bash
# The packages' update signatures, checked with minisign itself (not Tauri's code): each
# verifies with the public key, and its trusted comment names the file and the version
# the manifest announces (what the updater's requireSignedVersion compares).
# Usage: tests/package/signed.sh BUNDLE_DIR PUBLIC_KEY_FILE
set -euo pipefail
bundle=${1:?usage: tests/package/signed.sh BUNDLE_DIR PUBLIC_KEY_FILE}
public=${2:?usage: tests/package/signed.sh BUNDLE_DIR PUBLIC_KEY_FILE}
fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

manifest="$bundle/latest.json"
[ -f "$manifest" ] || fail "no $manifest"
version=$(node -p "require('$(realpath "$manifest")').version")
[ "$version" = "$(node -p 'require("./src-tauri/tauri.conf.json").version')" ] || fail "latest.json announces $version"
base64 -d "$public" >"$work/key.pub"
for platform in linux-x86_64-deb linux-x86_64-rpm; do
  url=$(node -p "require('$(realpath "$manifest")').platforms['$platform'].url")
  file="$bundle/${platform##*-}/$(basename "$url")"
  [ -f "$file" ] || fail "$platform names $url, which is not $file"
  node -p "require('$(realpath "$manifest")').platforms['$platform'].signature" | base64 -d >"$work/sig"
  minisign -V -q -p "$work/key.pub" -m "$file" -x "$work/sig" || fail "$platform: minisign does not verify $file"
  grep -q "^trusted comment: .*file:$(basename "$file").*version:$version" "$work/sig" \
    || fail "$platform: the signature does not bind version $version: $(grep '^trusted comment' "$work/sig")"
  pass "$platform: $(basename "$file") verifies with minisign and is signed as version $version"
  printf 'x' | cat "$file" - >"$work/changed"
  if minisign -V -q -p "$work/key.pub" -m "$work/changed" -x "$work/sig" 2>/dev/null; then
    fail "$platform: minisign accepts a changed package"
  fi
done
pass "a changed package does not verify"
