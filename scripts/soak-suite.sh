#!/usr/bin/env bash
# One soak run of every audio, network and window test, straight from the built test
# binaries (so no build happens inside the soak), each from its package folder.
# Build first:  cargo test --locked --workspace --no-run
# Then:  scripts/soak.sh 20 xvfb-run -a -s "-screen 0 1280x800x24" \
#          scripts/with-keychain.sh scripts/with-audio.sh scripts/soak-suite.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
run() {
  local dir=$1 name=$2 bin
  shift 2
  bin=$(ls -t "$root"/target/debug/deps/"$name"-* | grep -v '\.d$' | head -1)
  (cd "$root/$dir" && "$bin" -q "$@")
}
run crates/dialtone-audio pulse
run crates/dialtone-audio jitter_buffer
run crates/dialtone-audio processing
run crates/dialtone-cli audio
run crates/dialtone-cli calls
run crates/dialtone-core service
run crates/dialtone-core providers_contract
run crates/dialtone-core provider_security
run crates/dialtone-core keychain
run crates/dialtone-core descriptors
run crates/dialtone-sip interop
run crates/dialtone-sip echo
run crates/dialtone-sip malformed
run crates/dialtone-sip stale_nonce
run crates/dialtone-cli sip
run crates/dialtone-agora page
run crates/dialtone-agora browser
for t in calling facetime_audio links sound window; do run tests/e2e "$t" --test-threads=1; done
