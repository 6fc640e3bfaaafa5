//! Property tests for every parser that takes outside input: what people type or paste
//! as a number or URI, and the `http` kind's templates. None may panic; what parses must
//! be canonical.

use dialtone_core::numbers::{PhoneNumber, Target};
use dialtone_core::providers::http::placeholders;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn parsing_any_text_never_panics(text in "\\PC{0,80}", region in prop::option::of("[A-Za-z]{0,3}")) {
        let _ = PhoneNumber::parse(&text, region.as_deref());
        let _ = Target::parse(&text, region.as_deref());
    }

    #[test]
    fn number_like_text_never_panics(text in "[+0-9() .\\-;=a-zA-Z:#*]{0,40}") {
        let _ = PhoneNumber::parse(&text, Some("US"));
        let _ = PhoneNumber::parse(&text, None);
    }

    #[test]
    fn a_parsed_number_is_canonical(national in 2_000_000_000u64..9_999_999_999u64) {
        let typed = format!("{national}");
        if let Ok(number) = PhoneNumber::parse(&typed, Some("US")) {
            // E.164 is stable: parsing it again gives the same number.
            let again = PhoneNumber::parse(number.e164(), None).unwrap();
            prop_assert_eq!(&again, &number);
            prop_assert!(number.e164().starts_with("+1"));
            prop_assert_eq!(number.fractel().len(), 11);
            // Every spelling people use finds the same number.
            let n = number.digits()[1..].to_owned();
            let pretty = format!("({}) {}-{}", &n[..3], &n[3..6], &n[6..]);
            prop_assert_eq!(PhoneNumber::parse(&pretty, Some("US")).unwrap(), number.clone());
            prop_assert_eq!(PhoneNumber::parse(&format!("tel:{}", number.e164()), None).unwrap(), number);
        }
    }

    #[test]
    fn templates_never_panic(text in "\\PC{0,60}") {
        let _ = placeholders(&text);
    }
}
