#!/usr/bin/env bash
# Installs what building, running and testing Dialtone needs on Debian/Ubuntu.
# Idempotent: each step checks first and does nothing when its part is already there.
# Usage: scripts/install-deps.sh [--test]   (--test adds what the test suite needs)
set -euo pipefail

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi

build_pkgs=(libwebkit2gtk-4.1-dev build-essential curl wget file pkg-config libxdo-dev
  libssl-dev libayatana-appindicator3-dev librsvg2-dev libasound2-dev libpulse-dev
  libdbus-1-dev libsecret-1-dev cmake libpipewire-0.3-dev libspa-0.2-dev clang libclang-dev
  libwebrtc-audio-processing-dev libsqlite3-dev)
test_pkgs=(xvfb xauth webkit2gtk-driver pulseaudio pulseaudio-utils libasound2-plugins sox
  gnome-keyring dbus-x11 libsecret-tools zbar-tools imagemagick x11-apps xclip python3-venv
  kamailio kamailio-tls-modules baresip-core openssl ca-certificates iproute2 util-linux
  nftables coturn dunst libglib2.0-bin chromium chromium-driver desktop-file-utils rpm minisign sudo)

pkgs=("${build_pkgs[@]}")
[ "$want_test" = 1 ] && pkgs+=("${test_pkgs[@]}")

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing system packages: ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "cargo is missing: install Rust from https://rustup.rs and run this again" >&2
  exit 1
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "==> installing Node.js and npm"
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq nodejs npm
fi

if [ "$want_test" = 1 ] && ! command -v tauri-driver >/dev/null 2>&1; then
  echo "==> installing tauri-driver"
  cargo install tauri-driver --version '^2' --locked
fi

root=$(cd "$(dirname "$0")/.." && pwd)

# The number parser's oracle: Google's libphonenumber (Python port), pinned to the
# metadata release of the Rust crate, in a virtualenv of its own under target/.
oracle_version=9.0.33
if [ "$want_test" = 1 ] && ! "$root/target/pyoracle/bin/python" -c "import phonenumbers, sys; sys.exit(phonenumbers.__version__ != '$oracle_version')" 2>/dev/null; then
  echo "==> installing the libphonenumber oracle (phonenumbers $oracle_version)"
  rm -rf "$root/target/pyoracle"
  python3 -m venv "$root/target/pyoracle"
  "$root/target/pyoracle/bin/pip" install -q --disable-pip-version-check "phonenumbers==$oracle_version"
fi
if [ ! -d "$root/ui/node_modules" ] || [ "$root/ui/package-lock.json" -nt "$root/ui/node_modules/.package-lock.json" ]; then
  echo "==> installing UI packages"
  # Not `npm ci`: the npm here (11.x) records only this platform's optional packages
  # (rollup's native builds) in the lock and then rejects that same lock in `npm ci`.
  # `npm install --no-save` installs the locked versions and leaves the lock untouched.
  (cd "$root/ui" && npm install --no-save --no-audit --no-fund)
fi
