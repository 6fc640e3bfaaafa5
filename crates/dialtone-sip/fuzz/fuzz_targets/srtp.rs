//! SDES crypto attributes and packets from the network: parsing a key line and
//! decrypting arbitrary bytes with it never panic.
#![no_main]

use dialtone_sip::media::srtp::{CryptoAttribute, SrtpSession};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(split) = data.iter().position(|b| *b == b'\n') else { return };
    let (line, packet) = data.split_at(split);
    let Ok(line) = std::str::from_utf8(line) else { return };
    let Ok(theirs) = CryptoAttribute::parse(line) else { return };
    let ours = theirs.clone();
    if let Ok(mut session) = SrtpSession::new(&ours, &theirs) {
        let _ = session.unprotect_rtp(&packet[1..]);
        let _ = session.unprotect_rtcp(&packet[1..]);
    }
});
