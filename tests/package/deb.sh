#!/usr/bin/env bash
# The .deb as a person meets it: installed with apt on this machine, both commands on the
# PATH, the installed app opened to its first frame, Dialtone the handler of tel: and the
# other call links, and a purge that removes every packaged file while the person's data
# and keychain entries stay (and the package says so). Also checks that the package
# declares every shared library its binaries load, as Debian's own dpkg-shlibdeps finds them.
#
# Usage: tests/package/deb.sh PATH.deb   (scripts/package.sh --debug builds one)
# Needs root or sudo, a display (run it under xvfb-run) and scripts/with-keychain.sh.
set -euo pipefail
deb=$(realpath "${1:?usage: tests/package/deb.sh PATH.deb}")
fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }
sudo_cmd=(); [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)

# scripts/package.sh repacks Tauri's gzip .deb with xz, 28 % smaller.
ar t "$deb" | grep -qx data.tar.xz || fail "the package's files are not xz-compressed: $(ar t "$deb" | tr '\n' ' ')"
pass "the package's files are xz-compressed"

pkg=$(dpkg-deb -f "$deb" Package)
version=$(dpkg-deb -f "$deb" Version)
if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
  fail "a '$pkg' package is already installed here and this test would replace and purge it; remove it first (apt-get remove $pkg)"
fi

work=$(mktemp -d)
installed=0
cleanup() {
  # A failed run must not leave its package behind on the machine.
  if [ "$installed" = 1 ] && dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "installed"; then
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get purge -y -qq "$pkg" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# --- every library the binaries need is declared (directly or through what is declared)
dpkg-deb -x "$deb" "$work/root"
mkdir -p "$work/root/debian" && printf 'Source: x\n\nPackage: x\nArchitecture: any\n' > "$work/root/debian/control"
needed=$(cd "$work/root" && dpkg-shlibdeps -O -e usr/bin/dialtone-app -e usr/bin/dialtone 2>/dev/null \
  | sed -n 's/^shlibs:Depends=//p' | tr ',|' '\n\n' | sed 's/(.*)//; s/ //g' | sort -u)
[ -n "$needed" ] || fail "dpkg-shlibdeps named no libraries"
declared=$(dpkg-deb -f "$deb" Depends | tr ',|' '\n\n' | sed 's/(.*)//; s/ //g' | sort -u)
# What apt installs for the declared ones, all the way down.
closure=$( (echo "$declared"; apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
  --no-breaks --no-replaces --no-enhances $declared 2>/dev/null | sed -n 's/^\([a-z0-9][^ ]*\)$/\1/p; s/^ *\(Pre\)\{0,1\}Depends: \([^<][^ ]*\)$/\2/p') \
  | sed 's/:any$//' | sort -u)
for lib in $needed; do
  grep -qx "$lib" <<<"$closure" || fail "the binaries load a library from '$lib', which the package neither declares nor gets through what it declares (Depends: $(echo $declared))"
done
pass "Depends ($(echo $declared | tr ' ' ',')) covers what dpkg-shlibdeps finds: $(echo $needed | tr ' ' ',')"

# --- before: Dialtone handles none of the links (else the check after install proves nothing)
schemes=(tel callto sip facetime facetime-audio)
for s in "${schemes[@]}"; do
  [ "$(xdg-mime query default "x-scheme-handler/$s" || true)" != "Dialtone.desktop" ] \
    || fail "x-scheme-handler/$s already names Dialtone.desktop before installing"
done

# --- install
echo "== apt-get install $deb"
installed=1
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "$deb" >"$work/install.log" 2>&1 \
  || { cat "$work/install.log"; fail "apt-get install failed"; }
dpkg-query -W -f='${Status}' "$pkg" | grep -q "install ok installed" || fail "$pkg is not installed after apt-get install"
files=$(dpkg -L "$pkg" | while read -r f; do if [ -f "$f" ]; then echo "$f"; fi; done)

[ "$(command -v dialtone-app)" = /usr/bin/dialtone-app ] || fail "dialtone-app is not on the PATH at /usr/bin"
[ "$(command -v dialtone)" = /usr/bin/dialtone ] || fail "dialtone is not on the PATH at /usr/bin"
[ "$(dialtone --version)" = "dialtone $version" ] || fail "dialtone --version says '$(dialtone --version)', the package is $version"
pass "dialtone-app and dialtone are on the PATH; dialtone --version matches the package ($version)"

for s in "${schemes[@]}"; do
  got=$(xdg-mime query default "x-scheme-handler/$s" || true)
  [ "$got" = "Dialtone.desktop" ] || fail "after installing, x-scheme-handler/$s is handled by '$got', not Dialtone.desktop"
done
desktop-file-validate /usr/share/applications/Dialtone.desktop || fail "the installed desktop file is not valid"
pass "xdg-mime names Dialtone.desktop for ${schemes[*]}; desktop-file-validate accepts it"

# --- the installed app opens to its first frame, with the person's own (temporary) home
export HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" XDG_STATE_HOME="$work/home/.local/state"
mkdir -p "$HOME"
line=$(DIALTONE_EXIT_AFTER_READY=1 RUST_LOG=warn timeout 60 /usr/bin/dialtone-app | grep -m1 '^first-frame-unix-ms=' || true)
[ -n "$line" ] || fail "the installed dialtone-app did not reach its first frame within 60 s"
pass "the installed app reached its first frame ($line)"

# --- the person's data and a keychain entry, made with the installed command
dialtone provider add work --kind blooio >/dev/null
secret="package-test-$RANDOM$RANDOM"
printf '%s' "$secret" | dialtone provider secret work api_key >/dev/null
settings=$(dialtone info | sed -n 's/^settings: *//p')
[ -f "$settings" ] || fail "no settings file at '$settings' after adding a provider"
secret-tool search --all service dialtone 2>/dev/null | grep -qF "$secret" || fail "the provider secret is not in the keychain"

# --- purge
echo "== apt-get purge $pkg"
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get purge -y "$pkg" >"$work/purge.log" 2>&1 \
  || { cat "$work/purge.log"; fail "apt-get purge failed"; }
grep -q "left in place" "$work/purge.log" || { cat "$work/purge.log"; fail "the purge did not say that people's data and keychain entries are left in place"; }
grep -q "Nothing in anyone's home folder or keychain was touched" "$work/purge.log" || fail "the purge step said nothing about people's data"
if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "installed"; then fail "$pkg is still installed after purge"; fi
left=$(for f in $files; do if [ -e "$f" ]; then echo "$f"; fi; done)
[ -z "$left" ] || fail "purge left packaged files behind: $left"
hash -r
if command -v dialtone >/dev/null; then fail "dialtone is still on the PATH after purge"; fi
for s in "${schemes[@]}"; do
  [ "$(xdg-mime query default "x-scheme-handler/$s" || true)" != "Dialtone.desktop" ] || fail "x-scheme-handler/$s still names Dialtone.desktop after purge"
done
pass "purge removed all $(wc -w <<<"$files") packaged files and the link handlers, and said what it left"

[ -f "$settings" ] || fail "purge deleted the person's settings ($settings)"
secret-tool search --all service dialtone 2>/dev/null | grep -qF "$secret" || fail "purge deleted the person's keychain entry"
pass "the person's settings and keychain entry are untouched"
echo "package test: all passed"
