//! The `http` kind's definitions and templates, as a person might write them.
#![no_main]

use std::collections::BTreeMap;

use dialtone_core::providers::http::{Definition, placeholders};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = placeholders(text);
        let mut settings = BTreeMap::new();
        let mut parts = text.splitn(3, '\n');
        settings.insert("url".to_owned(), parts.next().unwrap_or_default().to_owned());
        settings.insert("body".to_owned(), parts.next().unwrap_or_default().to_owned());
        settings.insert("secret_fields".to_owned(), parts.next().unwrap_or_default().to_owned());
        let _ = Definition::resolve(&settings);
    }
});
