//! Address-book exports from real programs (Android, BlackBerry, Evolution, Gmail,
//! iPhone, Lotus Notes, Mac Address Book, Outlook 2003 and 2007, Thunderbird,
//! FullContact and the RFCs' examples), taken from the test files of ez-vcard, a vCard
//! library no one here wrote (`tests/vcards/ez-vcard/`, BSD licence beside them).
//!
//! Imported through the same path as the window and the CLI (`Dialtone::import_contacts`
//! over a real SQLite file), and checked against the file itself, counted line by line
//! here rather than by our parser: every card becomes a contact, every TEL and EMAIL
//! line is either kept or reported, and importing the file again adds nobody.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use dialtone_core::contacts::ImportReport;
use dialtone_core::service::{Dialtone, SecretStore};
use dialtone_core::{ErrorCode, Paths};

fn exports() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vcards/ez-vcard");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "vcf"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 17, "the ez-vcard exports in {}", dir.display());
    files
}

#[derive(Debug, Default)]
struct NoSecrets;

impl dialtone_core::providers::SecretSource for NoSecrets {
    fn secret(&self, _: &str, _: &str) -> dialtone_core::Result<Option<dialtone_core::redact::SecretString>> {
        Ok(None)
    }
}

impl SecretStore for NoSecrets {
    fn store(&self, _: &str, _: &str, _: &dialtone_core::redact::SecretString) -> dialtone_core::Result<()> {
        Ok(())
    }
    fn remove(&self, _: &str, _: &str) -> dialtone_core::Result<()> {
        Ok(())
    }
}

fn book(dir: &tempfile::TempDir, region: Option<&str>) -> Dialtone {
    let dialtone = Dialtone::with_secrets(Paths::under(dir.path()), Arc::new(NoSecrets)).unwrap();
    if let Some(region) = region {
        dialtone.set_region(region).unwrap();
    }
    dialtone
}

/// Logical lines (folds joined) whose property name, after any group, is `name`.
fn count_property(text: &str, name: &str) -> usize {
    text.lines()
        .filter(|l| !l.starts_with([' ', '\t']))
        .filter(|l| {
            let head = l.split([':', ';']).next().unwrap_or_default();
            head.rsplit('.').next().unwrap_or_default().eq_ignore_ascii_case(name)
        })
        .count()
}

fn dropped_about(report: &ImportReport, property: &str) -> usize {
    report.dropped.iter().filter(|d| d.reason.starts_with(property) && d.reason.contains("left out")).count()
}

#[test]
fn every_card_of_every_export_becomes_a_contact_and_nothing_is_lost_unreported() {
    for file in exports() {
        let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let dir = tempfile::tempdir().unwrap();
        let dialtone = book(&dir, Some("US"));
        let report = dialtone.import_contacts(&file, |_, _| {}).unwrap();
        let cards = count_property(&text, "BEGIN");
        assert!(report.skipped.is_empty(), "{name}: {:?}", report.skipped);
        assert_eq!(report.added + report.merged, cards as u32, "{name}: {report:?}");
        let contacts = dialtone.contacts().unwrap();
        assert!(contacts.iter().all(|c| !c.name.trim().is_empty()), "{name}: a contact with nothing to show");
        let phones: usize = contacts.iter().map(|c| c.phones.len()).sum();
        let emails: usize = contacts.iter().map(|c| c.emails.len()).sum();
        // Within one file a card merged into an earlier one unites numbers, so at most
        // the file's lines, and exactly them when nothing merged.
        let tel_lines = count_property(&text, "TEL") - dropped_about(&report, "TEL");
        let email_lines = count_property(&text, "EMAIL") - dropped_about(&report, "EMAIL");
        if report.merged == 0 {
            assert_eq!(phones, tel_lines, "{name}: numbers kept");
            assert_eq!(emails, email_lines, "{name}: emails kept");
        } else {
            assert!(phones <= tel_lines && phones > 0, "{name}");
        }
    }
}

#[test]
fn importing_any_export_again_adds_nobody_in_any_home_region() {
    for region in [None, Some("US"), Some("GB"), Some("FR")] {
        let dir = tempfile::tempdir().unwrap();
        let dialtone = book(&dir, region);
        for file in exports() {
            dialtone.import_contacts(&file, |_, _| {}).unwrap();
        }
        let first = dialtone.contacts().unwrap();
        for file in exports() {
            let again = dialtone.import_contacts(&file, |_, _| {}).unwrap();
            assert_eq!(again.added, 0, "{region:?} {}: {again:?}", file.display());
        }
        let second = dialtone.contacts().unwrap();
        assert_eq!(second.len(), first.len(), "{region:?}");
        // Nothing grew either: merging a card into itself unites nothing new.
        assert_eq!(second, first, "{region:?}");
    }
}

#[test]
fn the_android_export_keeps_all_six_cards() {
    let dir = tempfile::tempdir().unwrap();
    let dialtone = book(&dir, Some("US"));
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vcards/ez-vcard/John_Doe_ANDROID.vcf");
    let report = dialtone.import_contacts(&file, |_, _| {}).unwrap();
    assert_eq!((report.added, report.merged), (6, 0), "{report:?}");
    let names: Vec<String> = dialtone.contacts().unwrap().into_iter().map(|c| c.name).collect();
    // Two cards have only an email: they are shown by it.
    assert!(names.contains(&"john.doe@company.com".to_owned()), "{names:?}");
    assert!(names.contains(&"jane.doe@company.com".to_owned()), "{names:?}");
    // The card with an email that decodes to "ÑÑÑ…" keeps its name, numbers and other email.
    let bob = dialtone.search_contacts("bob@company.com", 1).unwrap();
    assert_eq!(bob.len(), 1);
    assert_eq!(bob[0].name, "Ñ Ñ Ñ Ñ");
    assert_eq!(bob[0].phones.len(), 3);
    assert_eq!(bob[0].organization, "ÑÑÑÑÑÑÑÑÑÑÑÑ");
    // The card whose second ORG is not UTF-8 keeps the first.
    let henry = &dialtone.search_contacts("henry@company.com", 1).unwrap()[0];
    assert_eq!(henry.name, "ÑÑÑÑ");
    assert_eq!(henry.phones[0].number, "55556666");
    assert!(henry.organization.starts_with("ÑÑÑÑ"), "{henry:?}");
    let reasons: Vec<&str> = report.dropped.iter().map(|d| d.reason.as_str()).collect();
    assert!(reasons.iter().any(|r| r.contains("EMAIL") && r.contains("not an email address")), "{reasons:?}");
    assert!(reasons.iter().any(|r| r.starts_with("ORG was left out") && r.contains("UTF-8")), "{reasons:?}");
}

/// The cards of the report that started this: no UIDs, a vCard 2.1 quoted-printable
/// name with a French number, and a UK national number that does not parse in the US.
const NO_UIDS: &str = "BEGIN:VCARD\r\nVERSION:2.1\r\n\
N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Dupr=C3=A9;Ren=C3=A9e;;;\r\n\
FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Ren=C3=A9e Dupr=C3=A9\r\n\
TEL;CELL:+33 1 42 76 49 78\r\nEND:VCARD\r\n\
BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Harriet Jones\r\nTEL;TYPE=cell:07700 900461\r\nEND:VCARD\r\n\
BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada Lovelace\r\nTEL:(415) 555-0123\r\nEND:VCARD\r\n\
BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada Lovelace\r\nTEL:+44 20 7946 0958\r\nEND:VCARD\r\n\
BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Charles Babbage\r\nEMAIL:charles@example.org\r\nEND:VCARD\r\n\
BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Mary Somerville\r\nEND:VCARD\r\n";

#[test]
fn cards_without_uids_merge_by_name_and_any_number_even_one_that_does_not_parse() {
    for region in [Some("US"), Some("GB"), None] {
        let dir = tempfile::tempdir().unwrap();
        let dialtone = book(&dir, region);
        let file = dir.path().join("book.vcf");
        std::fs::write(&file, NO_UIDS).unwrap();
        let first = dialtone.import_contacts(&file, |_, _| {}).unwrap();
        // Two different Ada Lovelaces (no number in common) stay two.
        assert_eq!((first.added, first.merged), (6, 0), "{region:?}: {first:?}");
        for _ in 0..2 {
            let again = dialtone.import_contacts(&file, |_, _| {}).unwrap();
            assert_eq!((again.added, again.merged), (0, 6), "{region:?}: {again:?}");
        }
        assert_eq!(dialtone.contacts().unwrap().len(), 6, "{region:?}");
        let harriet = &dialtone.search_contacts("harriet", 1).unwrap()[0];
        assert_eq!(harriet.phones.len(), 1, "{region:?}: {harriet:?}");
    }
}

#[test]
fn a_card_written_differently_merges_when_a_number_is_the_same_digits() {
    let dir = tempfile::tempdir().unwrap();
    let dialtone = book(&dir, Some("US"));
    let file = dir.path().join("a.vcf");
    std::fs::write(&file, "BEGIN:VCARD\nVERSION:3.0\nFN:Harriet Jones\nTEL:07700 900461\nEND:VCARD\n").unwrap();
    dialtone.import_contacts(&file, |_, _| {}).unwrap();
    // The same person exported by another program: accents and case differ, the number
    // is spelt with dots, and a second number is new.
    std::fs::write(
        &file,
        "BEGIN:VCARD\nVERSION:3.0\nFN:HARRIET JONES\nTEL:07700.900.461\nTEL:+1 202 555 0199\nEND:VCARD\n",
    )
    .unwrap();
    let report = dialtone.import_contacts(&file, |_, _| {}).unwrap();
    assert_eq!((report.added, report.merged), (0, 1));
    let harriet = &dialtone.contacts().unwrap()[0];
    assert_eq!(harriet.phones.len(), 2, "{harriet:?}");
}

/// Files that speak of one person more than once, and disagree: each once made a second
/// import change the book (the property test below found them).
const CONTRADICTIONS: [&str; 4] = [
    // One UID under two names: the rename must leave the old name recognisable.
    "BEGIN:VCARD\r\nVERSION:2.1\r\nFN:O'Brien\\, Pat\r\nEMAIL:ada@example.com\r\nEND:VCARD\r\n\
     BEGIN:VCARD\r\nVERSION:2.1\r\nUID:5\r\nFN:O'Brien\\, Pat\r\nEND:VCARD\r\n\
     BEGIN:VCARD\r\nVERSION:2.1\r\nUID:5\r\nFN:Renée Dupré\r\nEND:VCARD\r\n",
    // A card matching by name and number under another UID must not take the UID.
    "BEGIN:VCARD\r\nVERSION:2.1\r\nUID:b\r\nFN:O'Brien\\, Pat\r\nTEL:123456\r\nEND:VCARD\r\n\
     BEGIN:VCARD\r\nVERSION:2.1\r\nUID:c\r\nFN:O'Brien\\, Pat\r\nTEL:123456\r\nEND:VCARD\r\n\
     BEGIN:VCARD\r\nVERSION:2.1\r\nUID:b\r\nFN:Renée Dupré\r\nEND:VCARD\r\n",
    // A card merged by name and email under another UID leaves its UID with the contact,
    // so the next card with that UID goes there too.
    "BEGIN:VCARD\r\nVERSION:2.1\r\nUID:1\r\nEMAIL:ada@example.com\r\nEND:VCARD\r\n\
     BEGIN:VCARD\r\nVERSION:2.1\r\nUID:0\r\nEMAIL:ada@example.com\r\nEND:VCARD\r\n\
     BEGIN:VCARD\r\nVERSION:2.1\r\nUID:0\r\nFN:Renée Dupré\r\nEND:VCARD\r\n",
    // A card sharing numbers with two contacts goes to the one it shares most with.
    "BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Harriet Jones\r\nTEL:123456\r\nEND:VCARD\r\n\
     BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Harriet Jones\r\nTEL:tel:+44-20-7946-0958\r\nTEL:0033 1 42 76 49 78\r\nEND:VCARD\r\n\
     BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Harriet Jones\r\nTEL:123456\r\nTEL:tel:+44-20-7946-0958\r\nEND:VCARD\r\n",
];

#[test]
fn a_file_that_contradicts_itself_imports_the_same_way_again() {
    for (n, text) in CONTRADICTIONS.iter().enumerate() {
        let dir = tempfile::tempdir().unwrap();
        let dialtone = book(&dir, None);
        let file = dir.path().join("book.vcf");
        std::fs::write(&file, text).unwrap();
        dialtone.import_contacts(&file, |_, _| {}).unwrap();
        let first = dialtone.contacts().unwrap();
        for _ in 0..2 {
            let again = dialtone.import_contacts(&file, |_, _| {}).unwrap();
            assert_eq!(again.added, 0, "file {n}: {again:?}");
            assert_eq!(dialtone.contacts().unwrap(), first, "file {n}");
        }
    }
}

#[test]
fn a_file_too_large_to_be_an_address_book_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let dialtone = book(&dir, None);
    let file = dir.path().join("huge.vcf");
    let handle = std::fs::File::create(&file).unwrap();
    handle.set_len(dialtone_core::contacts::vcard::MAX_FILE_BYTES + 1).unwrap();
    let err = dialtone.import_contacts(&file, |_, _| {}).unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    assert!(
        err.message.contains("larger than 64 MB") && err.message.contains("nothing was imported"),
        "{}",
        err.message
    );
    assert_eq!(dialtone.contacts().unwrap().len(), 0);
}

#[test]
fn a_device_that_never_ends_is_refused_too() {
    let dir = tempfile::tempdir().unwrap();
    let dialtone = book(&dir, None);
    let err = dialtone.import_contacts(Path::new("/dev/zero"), |_, _| {}).unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput, "{}", err.message);
}

mod any_file {
    //! Property tests: any file, of any version, with any numbers, imported twice adds
    //! nobody the second time; and no bytes make the reader panic.
    use proptest::prelude::*;

    use super::*;

    fn qp(text: &str) -> String {
        text.bytes().map(|b| format!("={b:02X}")).collect()
    }

    /// A card as some address book might write it.
    fn card() -> impl Strategy<Value = String> {
        let name = prop::sample::select(vec![
            "Renée Dupré",
            "Ada Lovelace",
            "ÑÑ Ñ",
            "Zoë",
            "",
            "Harriet Jones",
            "O'Brien, Pat",
        ]);
        let number = prop::sample::select(vec![
            "07700 900461",
            "+33 1 42 76 49 78",
            "(415) 555-0123",
            "+1 415 555 0123",
            "123456",
            "tel:+44-20-7946-0958",
            "0033 1 42 76 49 78",
            "+999 12",
            "ext. 12",
        ]);
        let email = prop::sample::select(vec!["ada@example.com", "ADA@Example.com", "nowhere", "jöhn@exämple.org"]);
        let version = prop::sample::select(vec!["2.1", "3.0", "4.0"]);
        (
            version,
            name,
            prop::collection::vec(number, 0..3),
            prop::collection::vec(email, 0..2),
            prop::option::of("[a-z0-9]{1,6}"),
            any::<bool>(),
        )
            .prop_map(|(version, name, numbers, emails, uid, quoted)| {
                let mut lines = vec!["BEGIN:VCARD".to_owned(), format!("VERSION:{version}")];
                if let Some(uid) = uid {
                    lines.push(format!("UID:{uid}"));
                }
                if !name.is_empty() {
                    if quoted && version == "2.1" {
                        lines.push(format!("FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:{}", qp(name)));
                    } else {
                        lines.push(format!("FN:{}", name.replace(',', "\\,")));
                    }
                }
                lines.extend(numbers.iter().map(|n| format!("TEL;TYPE=cell:{n}")));
                lines.extend(emails.iter().map(|e| format!("EMAIL:{e}")));
                lines.push("END:VCARD".to_owned());
                lines.join("\r\n") + "\r\n"
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

        #[test]
        fn importing_a_file_again_adds_nobody(
            cards in prop::collection::vec(card(), 1..8),
            region in prop::sample::select(vec![None, Some("US"), Some("GB"), Some("FR")]),
        ) {
            let dir = tempfile::tempdir().unwrap();
            let dialtone = book(&dir, region);
            let file = dir.path().join("book.vcf");
            std::fs::write(&file, cards.concat()).unwrap();
            dialtone.import_contacts(&file, |_, _| {}).unwrap();
            let first = dialtone.contacts().unwrap();
            let again = dialtone.import_contacts(&file, |_, _| {}).unwrap();
            prop_assert_eq!(again.added, 0, "{:?}", again);
            prop_assert_eq!(dialtone.contacts().unwrap(), first);
        }

        #[test]
        fn no_bytes_make_the_reader_panic(bytes in prop::collection::vec(any::<u8>(), 0..400), prefix in 0usize..3) {
            let heads: [&[u8]; 3] = [b"", b"BEGIN:VCARD\r\nVERSION:2.1\r\nN;ENCODING=QUOTED-PRINTABLE:", b"BEGIN:VCARD\nVERSION:4.0\nTEL:"];
            let mut file = heads[prefix].to_vec();
            file.extend(bytes);
            let _ = dialtone_core::contacts::vcard::parse(&file);
        }
    }
}
