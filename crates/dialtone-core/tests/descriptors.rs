//! Each provider kind's descriptor says what the kind does; these tests hold the
//! descriptor to what placing a call, hanging up and asking a call's state really do.
//!
//! Every provider here points at a closed port on this machine, so a request that is
//! sent fails as unreachable at once: a target the kind takes gets that far, a target it
//! does not take is refused in plain words before anything is sent.

use std::collections::BTreeMap;

use dialtone_core::numbers::Target;
use dialtone_core::providers::{Dialer, Gives, Kind, ProviderConfig, SecretSource, kinds};
use dialtone_core::redact::SecretString;
use dialtone_core::{ErrorCode, Result};

/// Every secret any kind asks for, stored.
struct AllSecrets;

impl SecretSource for AllSecrets {
    fn secret(&self, _provider: &str, _field: &str) -> Result<Option<SecretString>> {
        Ok(Some(SecretString::from("s3cret-value")))
    }
}

const CLOSED: &str = "http://127.0.0.1:1";

fn config(kind: Kind) -> ProviderConfig {
    let settings: &[(&str, &str)] = match kind {
        Kind::Sendblue => &[("base_url", CLOSED), ("from_number", "+14155550100")],
        Kind::Blooio | Kind::Crm => &[("base_url", CLOSED)],
        Kind::Fractel => &[
            ("base_url", CLOSED),
            ("fonenumber", "4155550100"),
            ("service_type", "Phonenumber"),
            ("service_id", "14155550199"),
        ],
        Kind::Bandwidth => &[
            ("base_url", CLOSED),
            ("account_id", "9900000"),
            ("application_id", "app-1"),
            ("answer_url", "https://example.com/answer"),
            ("from_number", "+14155550100"),
        ],
        Kind::Http => &[("url", "http://127.0.0.1:1/calls")],
        Kind::Sip => &[("registrar", "127.0.0.1:1"), ("username", "1001")],
    };
    let settings: BTreeMap<String, String> = settings.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    let config = ProviderConfig { kind, settings };
    config.validate().unwrap_or_else(|err| panic!("{kind}: {}", err.message));
    config
}

fn targets() -> Vec<Target> {
    vec![
        Target::parse("+1 415 555 0123", None).unwrap(),
        Target::parse("ada@example.com", None).unwrap(),
        Target::parse("sip:bob@pbx.example.com", None).unwrap(),
        Target::speed_dial("12").unwrap(),
    ]
}

#[tokio::test]
async fn every_kind_calls_exactly_the_targets_its_descriptor_says() {
    let dialer = Dialer::new().unwrap();
    for kind in Kind::ALL {
        let descriptor = kind.descriptor();
        let config = config(kind);
        for target in targets() {
            let err = dialer.place_call("p", &config, &AllSecrets, &target).await.unwrap_err();
            let what = format!("{kind} calling {target:?}: {:?} {}", err.code, err.message);
            if descriptor.takes(&target) && descriptor.gives == Gives::LiveCall {
                // A live call is not an HTTP request: it says where it is carried instead.
                assert_eq!(err.code, ErrorCode::Unsupported, "{what}");
                assert!(err.message.contains("dialtone call"), "{what}");
            } else if descriptor.takes(&target) {
                assert_eq!(err.code, ErrorCode::ProviderUnreachable, "{what}");
            } else {
                assert_eq!(err.code, ErrorCode::InvalidInput, "{what}");
                assert!(err.message.contains(&descriptor.takes_in_words()), "{what}");
                assert!(err.message.contains(target.display()), "{what}");
            }
        }
    }
}

#[tokio::test]
async fn hang_up_and_status_are_tried_only_where_the_descriptor_says_and_refused_with_its_reason() {
    let dialer = Dialer::new().unwrap();
    for kind in Kind::ALL {
        let descriptor = kind.descriptor();
        let config = config(kind);
        let call_id = "c-15ac29a2-1331029c-0f16-4d2b-bc8c-2cf4a6d7e2ac";
        let hung_up = dialer.hang_up("p", &config, &AllSecrets, call_id).await.unwrap_err();
        let status = dialer.status("p", &config, &AllSecrets, call_id).await.unwrap_err();
        for (support, err) in [(descriptor.hang_up, hung_up), (descriptor.status, status)] {
            match support.why_not() {
                None => assert_eq!(err.code, ErrorCode::ProviderUnreachable, "{kind}: {}", err.message),
                Some(why) => {
                    assert_eq!(err.code, ErrorCode::Unsupported, "{kind}: {}", err.message);
                    assert!(err.message.contains(why), "{kind}: {}", err.message);
                }
            }
        }
    }
}

/// The settings screen and `provider kinds` show each kind as its descriptor says.
#[test]
fn the_kinds_list_is_drawn_from_the_descriptors() {
    for info in kinds() {
        let d = info.kind.descriptor();
        assert_eq!(info.gives, d.gives, "{}", info.label);
        assert_eq!(info.accepts, d.accepts, "{}", info.label);
        assert_eq!(info.can_hang_up, d.hang_up.is_supported(), "{}", info.label);
        assert_eq!(info.can_report_status, d.status.is_supported(), "{}", info.label);
        if info.preset.is_none() {
            assert_eq!(info.label, d.label);
            assert_eq!(info.kind.id(), d.id);
            let timeout = info.fields.iter().find(|f| f.name == "timeout_seconds").and_then(|f| f.default.clone());
            assert_eq!(timeout, Some(d.timeout_seconds.to_string()), "{}", info.label);
        }
    }
    // Each descriptor is its own kind's, and every kind has one.
    for kind in Kind::ALL {
        assert_eq!(kind.descriptor().kind, kind);
        assert_eq!(Kind::parse(kind.descriptor().id), Some(kind));
    }
}
