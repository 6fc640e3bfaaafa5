//! Dialtone's number parsing against Google's libphonenumber as the oracle.
//!
//! `oracle/numbers_corpus.py` (the Python `phonenumbers` package, pinned to the same
//! metadata release as the Rust crate) writes thousands of numbers from every region
//! it knows, typed in international, E.164 and national formats, with and without a
//! home region, and the E.164 it reads for each. Every one must come out of Dialtone
//! as that E.164: valid numbers without a hint, numbers that are possible but not
//! assigned with one.
//!
//! `scripts/install-deps.sh --test` makes the oracle's virtualenv (`target/pyoracle`);
//! `DIALTONE_PYTHON` names another interpreter. Without one the test fails under CI
//! and is skipped with a message elsewhere.

use std::path::{Path, PathBuf};
use std::process::Command;

use dialtone_core::numbers::PhoneNumber;
use serde_json::Value;

const SEED: &str = "20261124";
const RANDOM_PER_REGION: &str = "12";

fn python() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("DIALTONE_PYTHON") {
        return Some(PathBuf::from(path));
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/pyoracle/bin/python");
    venv.exists().then_some(venv)
}

fn corpus() -> Option<Vec<Value>> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/numbers_corpus.py");
    let Some(python) = python() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "the libphonenumber oracle is missing: run scripts/install-deps.sh --test (it makes target/pyoracle)"
        );
        eprintln!("skipped: no oracle (run scripts/install-deps.sh --test, or set DIALTONE_PYTHON)");
        return None;
    };
    let out = Command::new(&python)
        .arg(&script)
        .args([SEED, RANDOM_PER_REGION])
        .output()
        .unwrap_or_else(|err| panic!("{} could not run: {err}", python.display()));
    assert!(out.status.success(), "the oracle failed: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    Some(text.lines().map(|line| serde_json::from_str(line).unwrap()).collect())
}

#[test]
fn every_number_reads_as_libphonenumber_reads_it() {
    let Some(cases) = corpus() else { return };
    assert!(cases.len() > 5_000, "the oracle wrote only {} cases", cases.len());
    let regions: std::collections::BTreeSet<&str> = cases.iter().filter_map(|c| c["region"].as_str()).collect();
    assert!(regions.len() > 200, "only {} home regions in the corpus", regions.len());

    let mut wrong = Vec::new();
    let (mut valid, mut possible) = (0, 0);
    for case in &cases {
        let input = case["input"].as_str().unwrap();
        let region = case["region"].as_str();
        let expected = case["e164"].as_str().unwrap();
        let is_valid = case["valid"].as_bool().unwrap();
        if is_valid {
            valid += 1
        } else {
            possible += 1
        }
        match PhoneNumber::parse(input, region) {
            Ok(number) if number.e164() != expected => {
                wrong.push(format!("{input:?} in {region:?}: got {}, libphonenumber {expected}", number.e164()));
            }
            Ok(number) if is_valid && number.hint().is_some() => {
                wrong.push(format!("{input:?} in {region:?}: a valid number got a hint: {:?}", number.hint()));
            }
            Ok(number) if !is_valid && number.hint().is_none() => {
                wrong.push(format!("{input:?} in {region:?}: an unassigned number got no hint"));
            }
            Ok(_) => {}
            Err(err) => {
                wrong.push(format!("{input:?} in {region:?}: refused ({}), libphonenumber {expected}", err.message))
            }
        }
    }
    eprintln!(
        "{} cases ({valid} valid, {possible} possible only) over {} home regions: {} disagree",
        cases.len(),
        regions.len(),
        wrong.len()
    );
    assert!(wrong.is_empty(), "{} of {} disagree with libphonenumber, e.g.:\n{}", wrong.len(), cases.len(), {
        wrong.truncate(std::env::var("DIALTONE_ORACLE_SHOW").ok().and_then(|n| n.parse().ok()).unwrap_or(25));
        wrong.join("\n")
    });
}
