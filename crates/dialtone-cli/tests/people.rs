//! Contacts and history through the `dialtone` command: import (with a broken card),
//! search in every spelling, calling a contact by name, history, redial, export; and an
//! import killed half-way that leaves the database consistent.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const LINK: &str = "https://facetime.apple.com/join#v=1&p=AeX1cmBiEe2cQwKlK0D5bA&k=people";

fn dialtone(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dialtone"));
    cmd.env_remove("DIALTONE_DATA_DIR").arg("--data-dir").arg(dir).args(args);
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    if let Some(text) = stdin {
        use std::io::Write;
        child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let out = dialtone(dir, args, None);
    assert!(out.status.success(), "dialtone {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn json_of(dir: &Path, args: &[&str]) -> Value {
    serde_json::from_str(&ok(dir, args)).unwrap()
}

const BOOK: &str = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:ada-1\r\nFN:Ada Lovelace\r\nORG:Analytical Engines\r\nTEL;TYPE=cell,pref:+1 (415) 555-0123\r\nTEL;TYPE=work:+44 20 7946 0958\r\nEMAIL;TYPE=home:ada@example.com\r\nEND:VCARD\r\n\
BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Broken Card\r\nTEL:+1 415 555 0199\r\nEMAIL:nowhere\r\nEND:VCARD\r\n\
BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:Dupr=E9;Ren=E9e\r\nTEL;CELL:+33 1 23 45 67 89\r\nEND:VCARD\r\n\
BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Grace Hopper\r\nTEL;VALUE=uri;TYPE=cell:tel:+1-202-555-0199\r\nTEL;VALUE=uri;TYPE=work:tel:+1-202-555-0100\r\nEND:VCARD\r\n";

#[tokio::test]
async fn import_search_call_by_name_history_and_export() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let vcf = dir.path().join("book.vcf");
    std::fs::write(&vcf, BOOK).unwrap();

    let report = ok(&data, &["contacts", "import", vcf.to_str().unwrap()]);
    // The card with an unreadable email is kept without it, and that is said.
    assert!(report.contains("4 added, 0 merged"), "{report}");
    assert!(
        report.contains("Card 2 (Broken Card), line 14: EMAIL “nowhere” is not an email address; it was left out"),
        "{report}"
    );
    let again = ok(&data, &["contacts", "import", vcf.to_str().unwrap()]);
    assert!(again.contains("0 added, 4 merged"), "re-importing merges: {again}");

    let names = |query: &str| -> Vec<String> {
        json_of(&data, &["contacts", "search", query, "--json"])
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(names("renee"), ["Renée Dupré"]);
    assert_eq!(names("lovel"), ["Ada Lovelace"]);
    for spelling in ["4155550123", "(415) 555-0123", "+14155550123"] {
        assert_eq!(names(spelling), ["Ada Lovelace"], "{spelling}");
    }

    // Calling by name: Ada's preferred number; Grace has two and none preferred.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/api/facetime/calls"))
        .and(body_json(json!({"handle": "+14155550123"})))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"success": true, "link": LINK, "handle": "+14155550123"})),
        )
        .expect(2)
        .mount(&server)
        .await;
    let tag = std::process::id();
    let provider = format!("pp{tag}");
    ok(&data, &["provider", "add", &provider, "--kind", "blooio", "--set", &format!("base_url={}", server.uri())]);
    let out = dialtone(&data, &["provider", "secret", &provider, "api_key"], Some("bk_people_secret_1"));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let placed = json_of(&data, &["call", "Ada Lovelace", "--json"]);
    assert_eq!((placed["to"].as_str(), placed["link"].as_str()), (Some("+14155550123"), Some(LINK)));
    let out = dialtone(&data, &["call", "Grace Hopper"], None);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Grace Hopper has several numbers: cell +1-202-555-0199, work +1-202-555-0100"), "{err}");

    let history = json_of(&data, &["history", "--json"]);
    assert_eq!(history.as_array().unwrap().len(), 1, "{history}");
    let row = &history[0];
    assert_eq!(row["contact_name"], "Ada Lovelace");
    assert_eq!(row["typed"], "Ada Lovelace");
    assert_eq!(row["target"], "+14155550123");
    assert_eq!(row["outcome"], "facetime_link");
    assert_eq!(row["link"], LINK);
    assert!(row["link_expires_at"].as_i64().unwrap() > 0);

    let id = row["id"].as_i64().unwrap().to_string();
    let redialled = json_of(&data, &["redial", &id, "--json"]);
    assert_eq!(redialled["link"], LINK);
    assert_eq!(json_of(&data, &["history", "--json"]).as_array().unwrap().len(), 2);

    // Export, then import into an empty book: the same people come back.
    let exported = dir.path().join("export.vcf");
    assert!(ok(&data, &["contacts", "export", exported.to_str().unwrap()]).contains("Wrote 4 contacts"));
    let other = dir.path().join("other");
    ok(&other, &["contacts", "import", exported.to_str().unwrap()]);
    let without_ids = |list: Value| -> Vec<Value> {
        list.as_array()
            .unwrap()
            .iter()
            .cloned()
            .map(|mut c| {
                c.as_object_mut().unwrap().remove("id");
                c
            })
            .collect()
    };
    let before = without_ids(json_of(&data, &["contacts", "list", "--json"]));
    let after = without_ids(json_of(&other, &["contacts", "list", "--json"]));
    assert_eq!(after.len(), 4);
    for (b, a) in before.iter().zip(&after) {
        assert_eq!(a["name"], b["name"]);
        assert_eq!(a["uid"], b["uid"]);
        assert_eq!(a["emails"], b["emails"]);
        assert_eq!(a["phones"].as_array().unwrap().len(), b["phones"].as_array().unwrap().len());
    }

    assert!(ok(&data, &["history", "clear"]).contains("Cleared 2 entries"));
    assert_eq!(json_of(&data, &["history", "--json"]), json!([]));
    ok(&data, &["provider", "remove", &provider]);
}

#[test]
fn an_import_killed_half_way_leaves_a_consistent_database() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let vcf = dir.path().join("big.vcf");
    let cards = 40_000;
    let mut text = String::with_capacity(cards * 120);
    for i in 0..cards {
        text.push_str(&format!(
            "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:big-{i}\r\nFN:Person Number {i}\r\nTEL;TYPE=cell:+1 415 {:03} {:04}\r\nEMAIL:p{i}@example.com\r\nEND:VCARD\r\n",
            200 + i / 10_000,
            i % 10_000
        ));
    }
    std::fs::write(&vcf, text).unwrap();

    let mut child = Command::new(env!("CARGO_BIN_EXE_dialtone"))
        .env_remove("DIALTONE_DATA_DIR")
        .arg("--data-dir")
        .arg(&data)
        .args(["contacts", "import", vcf.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill it once the uncommitted import has started spilling into the WAL.
    let wal = data.join("dialtone.sqlite3-wal");
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0) < 256 * 1024 {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the import finished before it could be killed: make the file bigger"
        );
        assert!(Instant::now() < deadline, "the import never started writing");
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL: no destructor, no rollback by the program
    child.wait().unwrap();

    let conn = rusqlite::Connection::open(data.join("dialtone.sqlite3")).unwrap();
    let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(check, "ok");
    let count: i64 = conn.query_row("SELECT count(*) FROM contacts", [], |r| r.get(0)).unwrap();
    assert_eq!(count, 0, "all or nothing: the import is one transaction");
    let fts: i64 = conn.query_row("SELECT count(*) FROM contacts_search", [], |r| r.get(0)).unwrap();
    assert_eq!(fts, 0, "the search index matches the contacts");
    drop(conn);

    // Nothing was lost: importing again brings everyone in, once.
    ok(&data, &["contacts", "import", vcf.to_str().unwrap()]);
    let conn = rusqlite::Connection::open(data.join("dialtone.sqlite3")).unwrap();
    let count: i64 = conn.query_row("SELECT count(*) FROM contacts", [], |r| r.get(0)).unwrap();
    assert_eq!(count, cards as i64);
}
