#!/usr/bin/env bash
# Runs a command with its own D-Bus session and an unlocked gnome-keyring, so the tests
# store and read secrets through the real Secret Service, without touching the
# keyring of the person running them (the keyring files live in a temporary folder).
# Usage: scripts/with-keychain.sh COMMAND [ARGS...]
set -euo pipefail
if [ -z "${DIALTONE_KEYCHAIN_SESSION:-}" ]; then
  exec env DIALTONE_KEYCHAIN_SESSION=1 dbus-run-session -- "$0" "$@"
fi
keyrings=$(mktemp -d)
trap 'rm -rf "$keyrings"' EXIT
export XDG_DATA_HOME="$keyrings"
printf '%s' "dialtone-test-keyring" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
"$@"
