//! The OS keychain, for real: these run against the Secret Service (gnome-keyring,
//! which scripts/test.sh starts under its own D-Bus session), and check what is stored
//! from outside the program with `secret-tool`.

use std::process::Command;

use dialtone_core::keychain::{Keychain, SERVICE, account};
use dialtone_core::redact::{ExposeSecret, SecretString};

fn keychain() -> Keychain {
    Keychain::open().unwrap_or_else(|err| {
        panic!("{} (run the suite through scripts/test.sh, which starts gnome-keyring)", err.message)
    })
}

fn seen_from_outside(provider: &str, field: &str) -> Option<String> {
    let out = Command::new("secret-tool")
        .args(["lookup", "service", SERVICE, "username", &account(provider, field)])
        .output()
        .expect("secret-tool (libsecret-tools) is installed by scripts/install-deps.sh --test");
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn a_secret_is_stored_replaced_read_and_deleted() {
    let kc = keychain();
    let provider = format!("kc-test-{}", std::process::id());
    assert!(kc.get(&provider, "api_key").unwrap().is_none());
    assert!(!kc.has(&provider, "api_key").unwrap());

    kc.set(&provider, "api_key", &SecretString::from("first-value")).unwrap();
    kc.set(&provider, "api_key", &SecretString::from("second-value")).unwrap();
    assert_eq!(kc.get(&provider, "api_key").unwrap().unwrap().expose_secret(), "second-value");
    assert!(kc.has(&provider, "api_key").unwrap());
    assert_eq!(
        seen_from_outside(&provider, "api_key").as_deref(),
        Some("second-value"),
        "stored in the Secret Service itself"
    );

    kc.delete(&provider, "api_key").unwrap();
    assert!(kc.get(&provider, "api_key").unwrap().is_none());
    assert_eq!(seen_from_outside(&provider, "api_key"), None);
    kc.delete(&provider, "api_key").unwrap(); // deleting what is gone is fine
}

#[test]
fn an_empty_secret_is_refused() {
    let err = keychain().set("kc-empty", "api_key", &SecretString::from("")).unwrap_err();
    assert!(err.message.contains("is empty"), "{}", err.message);
}
