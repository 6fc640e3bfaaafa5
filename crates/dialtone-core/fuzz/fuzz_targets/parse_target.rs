//! Numbers, tel:/facetime: URIs and emails as people type or paste them: no input may
//! panic (the phonenumber crate has had crafted-input panics, GHSA-whhr-7f2w-qqj2).
#![no_main]

use dialtone_core::numbers::{PhoneNumber, Target};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let (region, input) = text.split_at(text.len().min(2));
        let _ = Target::parse(input, Some(region));
        let _ = Target::parse(text, None);
        if let Ok(number) = PhoneNumber::parse(text, Some("US")) {
            assert_eq!(PhoneNumber::parse(number.e164(), None).unwrap(), number);
        }
    }
});
