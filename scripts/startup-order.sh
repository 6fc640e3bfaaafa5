#!/usr/bin/env bash
# Writes src-tauri/startup-order.txt: the functions the release app runs from launch to
# idle, which the linker then gathers at the front of the binary's code (see
# startup_order in src-tauri/build.rs for why).
#
# How: builds the release app with its symbols and in the linker's own order, copies it
# out of the page cache, and turns off read-ahead on the disk under it for the run, so
# that the only pages of code in memory are the ones the app touched. It runs the app
# (a fresh data folder, no display needed) for 10 s, as scripts/measure.sh does, reads
# which of the binary's code pages are present (/proc/PID/pagemap) and lists every
# function on them, in the order they had.
#
# Needs root (read-ahead is a setting of the disk; it is put back on exit) and the
# target folder on a block device. Linux only. Run it after changes that move start-up
# work about, or after updating dependencies (their symbols' names change), and commit
# the list; scripts/measure.sh shows how much of the code stays resident.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then
  echo "startup-order.sh sets the disk's read-ahead for its run, which needs root" >&2
  exit 1
fi
if [ -z "${DISPLAY:-}" ]; then
  exec xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- "$0" "$@"
fi

scripts/install-deps.sh --test >/dev/null
(cd ui && npm run --silent build >/dev/null)
DIALTONE_STARTUP_ORDER=off cargo rustc --locked --release -p dialtone-app --bin dialtone-app -- -C strip=none 2>&1 | tail -n 1

work=target/startup-order
mkdir -p "$work"
binary=$work/dialtone-app
cp target/release/dialtone-app "$binary"
sync "$binary"
nm --defined-only --print-size "$binary" >"$work/symbols.txt"

# The disk under the copy: a partition's read-ahead is its disk's.
device=$(readlink -f "/sys/dev/block/$(findmnt -no MAJ:MIN -T "$binary" | tr -d " ")")
[ -e "$device/queue/read_ahead_kb" ] || device=$(dirname "$device")
read_ahead=$device/queue/read_ahead_kb
if [ ! -w "$read_ahead" ]; then
  echo "$binary is not on a block device whose read-ahead can be set ($read_ahead)" >&2
  exit 1
fi
before=$(cat "$read_ahead")
data=$(mktemp -d)
trap 'echo "$before" >"$read_ahead"; rm -rf "$data"' EXIT
echo 0 >"$read_ahead"
dd if="$binary" iflag=nocache count=0 status=none

RUST_LOG=warn "$binary" --data-dir "$data" >/dev/null 2>&1 &
pid=$!
sleep 10
python3 - "$pid" "$(realpath "$binary")" "$work/symbols.txt" src-tauri/startup-order.txt <<'EOF'
import struct, sys

pid, binary, symbols, out = sys.argv[1:]
PAGE = 4096
maps = []
for line in open(f"/proc/{pid}/maps"):
    fields = line.split()
    if len(fields) >= 6 and fields[5] == binary:
        start, end = (int(x, 16) for x in fields[0].split("-"))
        maps.append((start, end, fields[1]))
base = min(start for start, _, _ in maps)  # a PIE's first segment is at address 0
touched = set()
with open(f"/proc/{pid}/pagemap", "rb") as pagemap:
    for start, end, perms in maps:
        if "x" not in perms:
            continue
        pages = (end - start) // PAGE
        pagemap.seek(start // PAGE * 8)
        entries = pagemap.read(pages * 8)
        for i in range(pages):
            if struct.unpack_from("<Q", entries, i * 8)[0] >> 63:  # present
                touched.add((start - base) // PAGE + i)

picked, code = [], 0
for line in open(symbols):
    fields = line.split()
    if len(fields) != 4 or fields[2] not in "tTwW":
        continue
    address, size, name = int(fields[0], 16), int(fields[1], 16), fields[3]
    code += size
    if size and any(p in touched for p in range(address // PAGE, (address + size - 1) // PAGE + 1)):
        picked.append((address, size, name))
picked.sort()
with open(out, "w") as f:
    for _, _, name in picked:
        f.write(name + "\n")
print(f"start-up touched {len(touched) * PAGE / 1e6:.1f} MB of pages of {code / 1e6:.1f} MB of code; "
      f"{out}: {len(picked)} functions, {sum(s for _, s, _ in picked) / 1e6:.1f} MB")
EOF
kill "$pid"; wait "$pid" 2>/dev/null || true
rm -f "$binary"
