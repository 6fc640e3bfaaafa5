#!/usr/bin/env bash
# Runs a command with its own PulseAudio server, so audio tests play and record through
# a real sound server on machines without a sound card (CI, containers), and without
# touching the sound of the person running them.
#
# The server has a null sink "spk" (the default speaker; record what it plays from
# "spk.monitor") and a null sink "mic" whose monitor is the default microphone (play a
# sound into "mic" and the program hears it). The server, its socket and its files
# live in a temporary folder and go away with the command.
# Usage: scripts/with-audio.sh COMMAND [ARGS...]
set -euo pipefail
runtime=$(mktemp -d)
export XDG_RUNTIME_DIR="$runtime"
export PULSE_RUNTIME_PATH="$runtime/pulse"
export PULSE_STATE_PATH="$runtime/state"
export PULSE_SERVER="unix:$runtime/pulse/native"
awake=()
server=
stop() {
  [ ${#awake[@]} -gt 0 ] && kill "${awake[@]}" 2>/dev/null || true
  # By its id: with --disallow-exit, `pactl exit` is refused and the server would
  # outlive the command (one more sound server per run).
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  rm -rf "$runtime"
}
trap stop EXIT
# -n: no default.pa (no hardware probing); root is allowed, with a harmless warning.
# Kept in the foreground of a background job, so its id is known and it is stopped.
pulseaudio -n --daemonize=no --exit-idle-time=-1 --disallow-exit --system=no \
  --use-pid-file=no --log-target=stderr --log-level=error \
  -L "module-native-protocol-unix auth-anonymous=1" \
  -L "module-null-sink sink_name=spk sink_properties=device.description=Speaker" \
  -L "module-null-sink sink_name=mic sink_properties=device.description=Microphone-feed" \
  2> >(grep -v "running in system mode\|as root" >&2 || true) &
server=$!
for _ in $(seq 1 50); do
  pactl info >/dev/null 2>&1 && break
  sleep 0.1
done
pactl info >/dev/null || { echo "with-audio: PulseAudio did not start" >&2; exit 1; }
pactl set-default-sink spk
pactl set-default-source mic.monitor
# An idle null sink sleeps up to 2 s between wake-ups, so the first sound of a new
# stream would come 2 s late (paplay shows it too). A real sound card does not; a silent
# low-latency stream on each sink keeps them awake the same way.
for sink in spk mic; do
  pacat --latency-msec=10 -d "$sink" </dev/zero >/dev/null 2>&1 &
  awake+=($!)
done
sleep 2.2
"$@"
