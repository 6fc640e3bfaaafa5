//! Any datagram at the SIP port: rsipstack's parser, then our digest rewriting
//! (`dialtone_sip::digest`) both ways, never panic.
#![no_main]

use dialtone_sip::digest::DigestSpelling;
use libfuzzer_sys::fuzz_target;
use rsipstack::sip::SipMessage;
use rsipstack::transaction::endpoint::MessageInspector;

fuzz_target!(|data: &[u8]| {
    if let Ok(message) = SipMessage::try_from(data) {
        let message = DigestSpelling.after_received(message, None);
        let _ = DigestSpelling.before_send(message, None).to_string();
    }
});
