//! Prints the contacts figures the README reports (run:
//! `cargo bench -p dialtone-core --bench contacts`): importing a realistic book of
//! 100,000 vCards, the latency of search as you type over it, per keystroke, and how
//! reading a crafted vCard file grows with its size (it must grow linearly: the
//! window parses what a person picks).

use std::time::{Duration, Instant};

use dialtone_core::contacts::Contacts;

const FIRST: [&str; 24] = [
    "Ada",
    "Grace",
    "Renée",
    "José",
    "Zoë",
    "Björn",
    "Ana",
    "Mohammed",
    "Wei",
    "Priya",
    "Olúwaseun",
    "François",
    "Hannah",
    "Liam",
    "Søren",
    "Chloé",
    "Mateo",
    "Yuki",
    "Ingrid",
    "Noah",
    "Amélie",
    "Dmitri",
    "Fatima",
    "Kenji",
];
const LAST: [&str; 24] = [
    "Lovelace",
    "Hopper",
    "Dupré",
    "García",
    "Müller",
    "Andersson",
    "Silva",
    "Khan",
    "Zhang",
    "Patel",
    "Adeyemi",
    "Lefèvre",
    "Schmidt",
    "O'Brien",
    "Kierkegaard",
    "Martin",
    "López",
    "Tanaka",
    "Bergström",
    "Smith",
    "Moreau",
    "Ivanov",
    "Haddad",
    "Sato",
];
const ORGS: [&str; 8] =
    ["Analytical Engines", "Acme, Inc.", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay Industries", ""];

/// A deterministic pseudo-random sequence, so every run measures the same book.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) as usize
    }
}

fn book(count: usize) -> String {
    let mut rng = Lcg(7);
    let mut out = String::with_capacity(count * 220);
    for i in 0..count {
        let (first, last) = (FIRST[rng.next() % FIRST.len()], LAST[rng.next() % LAST.len()]);
        out.push_str(&format!(
            "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:bench-{i}\r\nFN:{first} {last}\r\nN:{last};{first};;;\r\n"
        ));
        let org = ORGS[rng.next() % ORGS.len()];
        if !org.is_empty() {
            out.push_str(&format!("ORG:{}\r\n", org.replace(',', "\\,")));
        }
        for kind in ["CELL", "WORK", "HOME"].iter().take(1 + rng.next() % 3) {
            let area = 201 + rng.next() % 780;
            let exchange = 200 + rng.next() % 800;
            out.push_str(&format!("TEL;TYPE={kind}:+1 ({area}) {exchange}-{:04}\r\n", rng.next() % 10_000));
        }
        if rng.next() % 3 > 0 {
            out.push_str(&format!(
                "EMAIL;TYPE=INTERNET:{}.{}{i}@example.com\r\n",
                first.to_lowercase(),
                last.to_lowercase()
            ));
        }
        out.push_str("END:VCARD\r\n");
    }
    out
}

/// Crafted files that once made reading quadratic: lines without `:`, one line folded
/// thousands of times, and QUOTED-PRINTABLE soft breaks without end.
fn crafted() {
    let shapes: [(&str, fn(usize) -> String); 3] = [
        ("lines without ':'", |n| {
            "BEGIN:VCARD\r\nVERSION:3.0\r\n".to_owned() + &"QUOTED-PRINTABLE=\r\n".repeat(n / 20)
        }),
        ("one line folded", |n| "BEGIN:VCARD\r\nVERSION:3.0\r\nNOTE:".to_owned() + &" folded\r\n".repeat(n / 9)),
        ("soft line breaks", |n| {
            "BEGIN:VCARD\r\nVERSION:2.1\r\nNOTE;ENCODING=QUOTED-PRINTABLE:".to_owned()
                + &"=41=42=43=\r\n".repeat(n / 12)
        }),
    ];
    for (shape, make) in shapes {
        let mut figures = Vec::new();
        for size in [240_000, 960_000, 3_840_000] {
            let text = make(size);
            let start = Instant::now();
            std::hint::black_box(dialtone_core::contacts::vcard::parse(text.as_bytes()));
            figures.push(format!("{} KB {:.1} ms", text.len() / 1000, start.elapsed().as_secs_f64() * 1e3));
        }
        println!("crafted vCard, {shape}: {}", figures.join(", "));
    }
}

fn main() {
    crafted();
    let count = 100_000;
    let text = book(count);
    let dir = tempfile::tempdir().unwrap();
    let conn = dialtone_core::db::open(dir.path()).unwrap();
    let contacts = Contacts::new(&conn, Some("US".into()));

    let start = Instant::now();
    let report = contacts.import(text.as_bytes(), |_, _| {}).unwrap();
    let took = start.elapsed();
    // A random book can hold the same name with the same number twice: merged, as on import.
    assert_eq!((report.added + report.merged) as usize, count);
    assert!(report.skipped.is_empty());
    println!(
        "import {count} contacts ({:.1} MB of vCard): {:.2} s ({:.0} contacts/s)",
        text.len() as f64 / 1e6,
        took.as_secs_f64(),
        count as f64 / took.as_secs_f64()
    );

    // The first search of a process pays for preparing statements and reading the index.
    let start = Instant::now();
    std::hint::black_box(contacts.search("m", 50).unwrap());
    println!("first search after opening: {:.2} ms", start.elapsed().as_secs_f64() * 1e3);

    // Every prefix of what a person types, as they type it: names, accents, numbers.
    let typed = [
        "ada lovelace",
        "renee",
        "lovel",
        "acme",
        "(415) 555-0123",
        "4155550123",
        "+1 202",
        "zhang",
        "garcia",
        "example.com",
    ];
    let mut samples: Vec<Duration> = Vec::new();
    let mut slowest: Vec<(Duration, String)> = Vec::new();
    for _round in 0..5 {
        for query in typed {
            for end in 1..=query.chars().count() {
                let prefix: String = query.chars().take(end).collect();
                let start = Instant::now();
                std::hint::black_box(contacts.search(&prefix, 50).unwrap());
                samples.push(start.elapsed());
                slowest.push((start.elapsed(), prefix));
            }
        }
    }
    samples.sort();
    slowest.sort_by(|a, b| b.0.cmp(&a.0));
    let worst: Vec<String> =
        slowest.iter().take(5).map(|(d, q)| format!("{q:?} {:.1} ms", d.as_secs_f64() * 1e3)).collect();
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize].as_secs_f64() * 1e3;
    println!(
        "search per keystroke at {count} contacts (50 results, loaded): median {:.2} ms, p99 {:.2} ms, max {:.2} ms (n={})",
        at(0.5),
        at(0.99),
        at(1.0),
        samples.len()
    );
    println!("slowest keystrokes: {}", worst.join(", "));
}
