#!/usr/bin/env bash
# The .rpm cannot be installed on this Debian machine, so this reads it with rpm itself:
# it holds the same files as the .deb, the postun script that says what stays, and a
# Requires for every library the .deb has to declare (as sonames, which every rpm
# distribution resolves whatever it names its packages).
# Usage: tests/package/rpm.sh PATH.rpm PATH.deb
set -euo pipefail
rpm_file=${1:?usage: tests/package/rpm.sh PATH.rpm PATH.deb}
deb=${2:?usage: tests/package/rpm.sh PATH.rpm PATH.deb}
fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

rpm_files=$(rpm -qpl "$rpm_file" 2>/dev/null | sort)
deb_files=$(dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { sub(/^\.?\/?/, "/", $6); print $6 }' | sort)
[ "$rpm_files" = "$deb_files" ] || fail "the .rpm and the .deb hold different files:
$(diff <(echo "$deb_files") <(echo "$rpm_files"))"
pass "the .rpm holds the same $(wc -l <<<"$rpm_files") files as the .deb"

rpm -qp --scripts "$rpm_file" 2>/dev/null | grep -q "left in place" || fail "the .rpm has no postun script saying what it leaves"
pass "the .rpm's postun says the person's data and keychain entries are left in place"

# The libraries the .deb must declare (those whose Debian package is a direct Depends),
# by soname, as the binaries name them.
dpkg-deb -x "$deb" "$work/root"
declared=$(dpkg-deb -f "$deb" Depends | tr ',|' '\n\n' | sed 's/(.*)//; s/ //g')
requires=$(rpm -qp --requires "$rpm_file" 2>/dev/null)
# For each such package, one of its libraries in Requires is enough: rpm resolves that to
# the package, which brings its other libraries (gtk's libgdk comes with libgtk).
declare -A sonames_of
for so in $(readelf -d "$work"/root/usr/bin/* | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort -u); do
  owner=$(dpkg -S "*/$so" 2>/dev/null | head -1 | cut -d: -f1)
  if grep -qx "$owner" <<<"$declared"; then sonames_of[$owner]+="$so "; fi
done
checked=0
for owner in "${!sonames_of[@]}"; do
  found=0
  for so in ${sonames_of[$owner]}; do
    if grep -qxF "$so()(64bit)" <<<"$requires"; then found=1; fi
  done
  [ "$found" = 1 ] || fail "the .rpm requires none of ${sonames_of[$owner]}(from $owner, a Depends of the .deb), which the binaries load"
  checked=$((checked + 1))
done
[ "$checked" -ge 3 ] || fail "only $checked libraries were checked; expected the audio, D-Bus and web view ones"
pass "the .rpm requires, by soname, a library of each of the $checked packages the .deb depends on"
