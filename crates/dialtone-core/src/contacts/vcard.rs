//! vCard 2.1, 3.0 and 4.0: reading what address books export, and writing 4.0.
//!
//! A small strict reader, because what matters here is exact: folded lines (CRLF or LF
//! followed by a space or tab), QUOTED-PRINTABLE values with soft line breaks and a
//! CHARSET (2.1), bare 2.1 types (`TEL;HOME;VOICE:`), `TYPE=a,b` lists and repeated
//! TYPE parameters (3.0/4.0), `tel:` URIs (4.0), escaped `\,` `\;` `\n` `\\`.
//!
//! One odd property never costs the whole card: a value that cannot be decoded, an
//! email that is not an address, a number without digits, a line without `:` is left
//! out and reported ([`Parsed::dropped`]), and the rest of the card is kept. Only a card
//! that cannot be a contact at all (no VERSION, no END, nothing to show it by) is
//! skipped ([`Parsed::skipped`]). A card without a name is shown by what it has: its
//! organisation, else its first email, else its first number.
//!
//! Reading is linear in the file's size: a crafted file cannot stall the window.

use encoding_rs::{Encoding, WINDOWS_1252};

use super::{Email, NewContact, Phone};

/// Files larger than this are refused before they are read: an address book with
/// photos for ten thousand people is a few tens of megabytes.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Something in a file that could not be read: a whole card ([`Parsed::skipped`]) or one
/// property of a card that was kept ([`Parsed::dropped`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CardProblem {
    /// 1 for the first card in the file.
    pub card: u32,
    /// The line the card starts on, or for a property, the line the property is on.
    pub line: u32,
    pub name: Option<String>,
    pub reason: String,
}

/// Every card of a file: those read, those skipped with why, and what was left out of
/// cards that were kept.
#[derive(Debug, Default)]
pub struct Parsed {
    pub contacts: Vec<NewContact>,
    pub skipped: Vec<CardProblem>,
    pub dropped: Vec<CardProblem>,
}

/// One property line, unfolded: `group.NAME;PARAM=..:value`.
#[derive(Debug)]
struct Property {
    name: String,
    params: Vec<(String, String)>,
    value: Vec<u8>,
    line: u32,
}

impl Property {
    fn param(&self, key: &str) -> Option<&str> {
        self.params.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// The TYPE values, lower case, from every spelling of them.
    fn types(&self) -> Vec<String> {
        let mut types = Vec::new();
        for (key, value) in &self.params {
            if key == "TYPE" || key.is_empty() {
                types.extend(
                    value.split(',').map(|t| t.trim().trim_matches('"').to_ascii_lowercase()).filter(|t| !t.is_empty()),
                );
            }
        }
        types
    }

    fn preferred(&self) -> bool {
        self.types().iter().any(|t| t == "pref") || self.param("PREF").is_some()
    }
}

/// A card being read: where it starts, its properties, and the lines left out so far.
struct Card {
    number: u32,
    line: u32,
    props: Vec<Property>,
    bad_lines: Vec<(u32, String)>,
}

/// Splits a file into cards and reads each.
pub fn parse(bytes: &[u8]) -> Parsed {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut parsed = Parsed::default();
    let mut card_no = 0u32;
    let mut current: Option<Card> = None;
    for (line_no, line) in unfold(bytes) {
        if line.iter().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        let trimmed = line.trim_ascii();
        if trimmed.eq_ignore_ascii_case(b"BEGIN:VCARD") {
            card_no += 1;
            if let Some(card) = current.take() {
                let name = card_name(&card.props);
                parsed.skipped.push(CardProblem {
                    card: card.number,
                    line: card.line,
                    name,
                    reason: "it has no END:VCARD before the next card".into(),
                });
            }
            current = Some(Card { number: card_no, line: line_no, props: Vec::new(), bad_lines: Vec::new() });
            continue;
        }
        if trimmed.eq_ignore_ascii_case(b"END:VCARD") {
            if let Some(card) = current.take() {
                finish(card, &mut parsed);
            }
            continue;
        }
        let Some(card) = current.as_mut() else { continue };
        match property(&line, line_no) {
            Ok(prop) => card.props.push(prop),
            Err(reason) => card.bad_lines.push((line_no, reason)),
        }
    }
    if let Some(card) = current {
        let name = card_name(&card.props);
        parsed.skipped.push(CardProblem {
            card: card.number,
            line: card.line,
            name,
            reason: "the file ends before END:VCARD".into(),
        });
    }
    parsed
}

/// The card's FN, if it can be read: for naming a card in a report.
fn card_name(props: &[Property]) -> Option<String> {
    let prop = props.iter().find(|p| p.name == "FN")?;
    decode(prop).ok().map(|v| unescape(&v.text).trim().to_owned()).filter(|n| !n.is_empty())
}

fn finish(card: Card, parsed: &mut Parsed) {
    let name = card_name(&card.props);
    let problem = |line: u32, reason: String| CardProblem { card: card.number, line, name: name.clone(), reason };
    match build(&card.props) {
        Ok((contact, dropped)) => {
            parsed.dropped.extend(card.bad_lines.into_iter().map(|(line, reason)| problem(line, reason)));
            parsed.dropped.extend(dropped.into_iter().map(|(line, reason)| problem(line, reason)));
            let shown = contact.name.clone();
            for p in parsed.dropped.iter_mut().filter(|p| p.card == card.number && p.name.is_none()) {
                p.name = Some(shown.clone());
            }
            parsed.contacts.push(contact);
        }
        Err(reason) => parsed.skipped.push(problem(card.line, reason)),
    }
}

/// Joins folded lines, and QUOTED-PRINTABLE soft breaks (`=` at the end of a line).
///
/// Each byte is looked at a bounded number of times: whether a logical line is
/// QUOTED-PRINTABLE is decided once, when its head (up to the first `:`) is complete.
fn unfold(bytes: &[u8]) -> Vec<(u32, Vec<u8>)> {
    let mut out: Vec<(u32, Vec<u8>)> = Vec::new();
    // For the logical line being built: is its head complete, and is it QUOTED-PRINTABLE?
    let (mut head_done, mut qp) = (false, false);
    for (index, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);
        let number = index as u32 + 1;
        let continued = match out.last_mut() {
            Some((_, previous)) if line.first().is_some_and(|&b| b == b' ' || b == b'\t') => {
                previous.extend_from_slice(&line[1..]);
                Some(&line[1..])
            }
            Some((_, previous)) if qp && previous.ends_with(b"=") => {
                previous.pop();
                previous.extend_from_slice(line);
                None
            }
            _ => {
                out.push((number, line.to_vec()));
                (head_done, qp) = (false, false);
                Some(line)
            }
        };
        if !head_done && continued.is_some_and(|part| part.contains(&b':')) {
            head_done = true;
            qp = out.last().is_some_and(|(_, logical)| is_qp(logical));
        }
    }
    out
}

fn is_qp(line: &[u8]) -> bool {
    let head_end = line.iter().position(|&b| b == b':').unwrap_or(line.len());
    let head = String::from_utf8_lossy(&line[..head_end]).to_ascii_uppercase();
    head.contains("QUOTED-PRINTABLE")
}

fn property(line: &[u8], line_no: u32) -> Result<Property, String> {
    // The head ends at the first ':' outside a quoted parameter value.
    let mut in_quotes = false;
    let colon = line
        .iter()
        .position(|&b| {
            if b == b'"' {
                in_quotes = !in_quotes;
            }
            b == b':' && !in_quotes
        })
        .ok_or("a line without “:” was left out")?;
    let head =
        std::str::from_utf8(&line[..colon]).map_err(|_| "a property whose name is not text was left out".to_owned())?;
    let mut parts = split_unquoted(head, ';').into_iter();
    let full_name = parts.next().unwrap_or_default();
    let name = full_name.rsplit('.').next().unwrap_or_default().trim().to_ascii_uppercase();
    if name.is_empty() {
        return Err("a property without a name was left out".into());
    }
    let params = parts
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (k.trim().to_ascii_uppercase(), v.trim().trim_matches('"').to_owned()),
            None => (String::new(), p.trim().to_owned()), // vCard 2.1: `TEL;HOME;VOICE:`
        })
        .map(|(k, v)| match k.as_str() {
            // 2.1 bare ENCODING/CHARSET values are spelled out as parameters elsewhere.
            "" if v.eq_ignore_ascii_case("QUOTED-PRINTABLE") => ("ENCODING".to_owned(), v),
            _ => (k, v),
        })
        .collect();
    Ok(Property { name, params, value: line[colon + 1..].to_vec(), line: line_no })
}

fn split_unquoted(text: &str, sep: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut start, mut quoted) = (0, false);
    for (i, c) in text.char_indices() {
        if c == '"' {
            quoted = !quoted;
        } else if c == sep && !quoted {
            parts.push(&text[start..i]);
            start = i + 1;
        }
    }
    parts.push(&text[start..]);
    parts
}

/// A property's value as text.
struct Text {
    text: String,
    /// Not UTF-8 and no CHARSET: read as Windows-1252, the legacy encoding of the
    /// desktop address books that wrote such files.
    guessed: bool,
}

/// The value as text: QUOTED-PRINTABLE decoded, then the CHARSET (default UTF-8).
fn decode(prop: &Property) -> Result<Text, String> {
    let encoding = prop.param("ENCODING").map(str::to_ascii_uppercase);
    let bytes = match encoding.as_deref() {
        Some("QUOTED-PRINTABLE" | "QP") => quoted_printable(&prop.value)?,
        Some("B" | "BASE64") => return Err("it is binary, not text".into()),
        _ => prop.value.clone(),
    };
    match prop.param("CHARSET") {
        Some(label) => {
            let encoding =
                Encoding::for_label(label.as_bytes()).ok_or_else(|| format!("its CHARSET “{label}” is unknown"))?;
            let (text, _, bad) = encoding.decode(&bytes);
            if bad {
                Err(format!("it is not valid {label}"))
            } else {
                Ok(Text { text: text.into_owned(), guessed: false })
            }
        }
        None => match String::from_utf8(bytes) {
            Ok(text) => Ok(Text { text, guessed: false }),
            Err(err) => {
                let (text, _, _) = WINDOWS_1252.decode(err.as_bytes());
                Ok(Text { text: text.into_owned(), guessed: true })
            }
        },
    }
}

fn quoted_printable(value: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(value.len());
    let mut i = 0;
    while i < value.len() {
        if value[i] == b'=' {
            let hex = value.get(i + 1..i + 3).ok_or("a QUOTED-PRINTABLE value cut short")?;
            let text = std::str::from_utf8(hex).map_err(|_| "bad QUOTED-PRINTABLE")?;
            out.push(u8::from_str_radix(text, 16).map_err(|_| format!("bad QUOTED-PRINTABLE escape “={text}”"))?);
            i += 3;
        } else {
            out.push(value[i]);
            i += 1;
        }
    }
    Ok(out)
}

/// `\n` `\,` `\;` `\\` as the characters they stand for.
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n' | 'N') => out.push('\n'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Splits a structured value at unescaped `;` and unescapes each part.
fn components(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                current.push('\\');
                if let Some(next) = chars.next() {
                    current.push(next);
                }
            }
            ';' => parts.push(unescape(&std::mem::take(&mut current))),
            _ => current.push(c),
        }
    }
    parts.push(unescape(&current));
    parts
}

fn label_of(prop: &Property) -> String {
    const PLAIN: [&str; 13] = [
        "voice",
        "pref",
        "internet",
        "x400",
        "msg",
        "text",
        "textphone",
        "video",
        "bbs",
        "modem",
        "isdn",
        "pcs",
        "uri",
    ];
    let types: Vec<String> = prop.types().into_iter().filter(|t| !PLAIN.contains(&t.as_str())).collect();
    types.join(",")
}

/// The contact a card describes, and the properties left out of it (line, why).
fn build(props: &[Property]) -> Result<(NewContact, Vec<(u32, String)>), String> {
    let version =
        props.iter().find(|p| p.name == "VERSION").map(|p| String::from_utf8_lossy(&p.value).trim().to_owned());
    match version.as_deref() {
        Some("2.1" | "3.0" | "4.0") => {}
        Some(other) => return Err(format!("VERSION {other} is not one we read (2.1, 3.0, 4.0)")),
        None => return Err("it has no VERSION".into()),
    }
    let mut contact = NewContact::default();
    let mut structured_name = String::new();
    let mut dropped = Vec::new();
    for prop in props {
        const READ: [&str; 9] =
            ["FN", "N", "ORG", "NOTE", "UID", "TEL", "EMAIL", "X-DIALTONE-FAVOURITE", "X-DIALTONE-PROVIDER"];
        if !READ.contains(&prop.name.as_str()) {
            continue; // PHOTO, ADR, ...: not decoded, so never a problem
        }
        let value = match decode(prop) {
            Ok(Text { text, guessed }) => {
                if guessed {
                    dropped.push((
                        prop.line,
                        format!("{} is not UTF-8 and names no CHARSET; it was read as Windows-1252", prop.name),
                    ));
                }
                text
            }
            Err(why) => {
                dropped.push((prop.line, format!("{} was left out: {why}", prop.name)));
                continue;
            }
        };
        let set = |field: &mut String, text: String| {
            if !text.is_empty() {
                *field = text;
            }
        };
        match prop.name.as_str() {
            "FN" => set(&mut contact.name, unescape(&value).trim().to_owned()),
            "N" => {
                let parts = components(&value);
                // family; given; additional; prefix; suffix → "prefix given additional family suffix"
                let get = |i: usize| parts.get(i).map(|s| s.trim()).unwrap_or_default().to_owned();
                let name = [get(3), get(1), get(2), get(0), get(4)]
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ");
                set(&mut structured_name, name);
            }
            "ORG" => set(
                &mut contact.organization,
                components(&value).into_iter().next().unwrap_or_default().trim().to_owned(),
            ),
            "NOTE" => set(&mut contact.notes, unescape(&value)),
            "UID" => contact.uid = Some(unescape(&value).trim().to_owned()).filter(|u| !u.is_empty()),
            "TEL" => {
                let value = unescape(&value);
                let number = value.trim();
                let number = number.strip_prefix("tel:").or_else(|| number.strip_prefix("TEL:")).unwrap_or(number);
                if number.is_empty() {
                    continue;
                }
                if !number.chars().any(|c| c.is_ascii_digit()) {
                    dropped.push((prop.line, format!("TEL “{number}” has no digits to call; it was left out")));
                    continue;
                }
                contact.phones.push(Phone {
                    label: label_of(prop),
                    number: number.to_owned(),
                    preferred: prop.preferred(),
                });
            }
            "EMAIL" => {
                let address = unescape(&value).trim().to_owned();
                if address.is_empty() {
                    continue;
                }
                if !address.contains('@') {
                    dropped.push((prop.line, format!("EMAIL “{address}” is not an email address; it was left out")));
                    continue;
                }
                contact.emails.push(Email { label: label_of(prop), address });
            }
            "X-DIALTONE-FAVOURITE" => contact.favourite = value.trim() == "1",
            "X-DIALTONE-PROVIDER" => {
                contact.preferred_provider = Some(value.trim().to_owned()).filter(|p| !p.is_empty())
            }
            _ => {}
        }
    }
    // Shown by what it has: a name, else its organisation, email or number.
    let fallbacks = [
        structured_name,
        contact.organization.clone(),
        contact.emails.first().map(|e| e.address.clone()).unwrap_or_default(),
        contact.phones.first().map(|p| p.number.clone()).unwrap_or_default(),
    ];
    for fallback in fallbacks {
        if contact.name.is_empty() {
            contact.name = fallback;
        }
    }
    if contact.name.is_empty() {
        return Err("it has nothing to show it by: no name, organisation, email or number".into());
    }
    Ok((contact, dropped))
}

/// Writes contacts as vCard 4.0 (CRLF, lines folded at 75 octets).
pub fn write(contacts: &[super::Contact]) -> String {
    let mut out = String::new();
    for c in contacts {
        let mut lines = vec!["BEGIN:VCARD".to_owned(), "VERSION:4.0".to_owned(), format!("FN:{}", escape(&c.name))];
        if let Some(uid) = &c.uid {
            lines.push(format!("UID:{}", escape(uid)));
        }
        if !c.organization.is_empty() {
            lines.push(format!("ORG:{}", escape(&c.organization)));
        }
        for p in &c.phones {
            let mut types: Vec<&str> = p.label.split(',').filter(|t| !t.is_empty()).collect();
            types.push("voice");
            let pref = if p.preferred { ";PREF=1" } else { "" };
            let value = match crate::numbers::PhoneNumber::parse(&p.number, None) {
                Ok(n) => format!("tel:{}", n.e164()),
                Err(_) => escape(&p.number),
            };
            let kind = if value.starts_with("tel:") { ";VALUE=uri" } else { "" };
            lines.push(format!("TEL{kind};TYPE=\"{}\"{pref}:{value}", types.join(",")));
        }
        for e in &c.emails {
            let types = if e.label.is_empty() { String::new() } else { format!(";TYPE=\"{}\"", e.label) };
            lines.push(format!("EMAIL{types}:{}", escape(&e.address)));
        }
        if !c.notes.is_empty() {
            lines.push(format!("NOTE:{}", escape(&c.notes)));
        }
        if c.favourite {
            lines.push("X-DIALTONE-FAVOURITE:1".to_owned());
        }
        if let Some(provider) = &c.preferred_provider {
            lines.push(format!("X-DIALTONE-PROVIDER:{}", escape(provider)));
        }
        lines.push("END:VCARD".to_owned());
        for line in lines {
            fold(&line, &mut out);
        }
    }
    out
}

fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace(',', "\\,").replace(';', "\\;").replace("\r\n", "\\n").replace('\n', "\\n")
}

fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_vcard_2_1_with_quoted_printable_and_charset() {
        let file = b"BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:Dupr=E9;Ren=E9e;;;\r\nTEL;HOME;VOICE:+33 1 23 45 67 89\r\nTEL;CELL;PREF:06 12 34 56 78\r\nNOTE;ENCODING=QUOTED-PRINTABLE:first line=0D=0A=\r\nsecond line\r\nEND:VCARD\r\n";
        let parsed = parse(file);
        assert!(parsed.skipped.is_empty(), "{:?}", parsed.skipped);
        let c = &parsed.contacts[0];
        assert_eq!(c.name, "Renée Dupré");
        assert_eq!(c.phones.len(), 2);
        assert_eq!((c.phones[0].label.as_str(), c.phones[0].preferred), ("home", false));
        assert_eq!((c.phones[1].label.as_str(), c.phones[1].preferred), ("cell", true));
        assert_eq!(c.notes, "first line\r\nsecond line");
    }

    #[test]
    fn reads_vcard_3_0_folded_with_escapes_and_type_lists() {
        let file = "BEGIN:VCARD\nVERSION:3.0\nFN:Ada Lovelace\nORG:Analytical Engines\\, Ltd;Research\nTEL;TYPE=WORK,VOICE:+1 (415) 555-0123\nTEL;TYPE=cell;TYPE=pref:+44 20 7946 0958\nEMAIL;TYPE=INTERNET;TYPE=HOME:ada@example.com\nNOTE:Met at the \\n\n  Difference Engine\\; bring notes\nUID:urn:uuid:1234\nEND:VCARD\n";
        let parsed = parse(file.as_bytes());
        let c = &parsed.contacts[0];
        assert_eq!(c.organization, "Analytical Engines, Ltd");
        assert_eq!(c.phones[0].label, "work");
        assert_eq!((c.phones[1].label.as_str(), c.phones[1].preferred), ("cell", true));
        assert_eq!((c.emails[0].label.as_str(), c.emails[0].address.as_str()), ("home", "ada@example.com"));
        assert_eq!(c.notes, "Met at the \n Difference Engine; bring notes");
        assert_eq!(c.uid.as_deref(), Some("urn:uuid:1234"));
    }

    #[test]
    fn reads_vcard_4_0_tel_uris() {
        let file = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Grace Hopper\r\nTEL;VALUE=uri;TYPE=\"voice,work\";PREF=1:tel:+1-202-555-0199\r\nEND:VCARD\r\n";
        let c = &parse(file.as_bytes()).contacts[0];
        assert_eq!(c.phones[0].number, "+1-202-555-0199");
        assert_eq!(c.phones[0].label, "work");
        assert!(c.phones[0].preferred);
    }

    #[test]
    fn an_odd_property_costs_only_itself_and_is_reported() {
        let file = "BEGIN:VCARD\nVERSION:3.0\nFN:First\nEND:VCARD\n\
            BEGIN:VCARD\nVERSION:3.0\nFN:Broken\nEMAIL:not-an-address\nTEL:+1 415 555 0100\nno colon here\nORG;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=C3=91=80\nTEL:n/a\nEND:VCARD\n\
            BEGIN:VCARD\nVERSION:3.0\nTEL:+14155550123\nEND:VCARD\n\
            BEGIN:VCARD\nVERSION:3.0\nEMAIL:only@example.com\nEND:VCARD\n\
            BEGIN:VCARD\nVERSION:3.0\nNOTE:nothing else\nEND:VCARD\n\
            BEGIN:VCARD\nVERSION:3.0\nFN:Cut\n";
        let parsed = parse(file.as_bytes());
        let names: Vec<&str> = parsed.contacts.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["First", "Broken", "+14155550123", "only@example.com"]);
        let broken = &parsed.contacts[1];
        assert_eq!(broken.phones.len(), 1, "{broken:?}");
        assert!(broken.emails.is_empty() && broken.organization.is_empty());
        let dropped: Vec<(u32, u32, &str)> =
            parsed.dropped.iter().map(|d| (d.card, d.line, d.name.as_deref().unwrap_or_default())).collect();
        assert_eq!(dropped, [(2, 10, "Broken"), (2, 8, "Broken"), (2, 11, "Broken"), (2, 12, "Broken")]);
        let reasons: Vec<&str> = parsed.dropped.iter().map(|d| d.reason.as_str()).collect();
        assert!(reasons[0].contains("without “:”"), "{reasons:?}");
        assert!(reasons[1].contains("not an email address"), "{reasons:?}");
        assert!(reasons[2].starts_with("ORG was left out") && reasons[2].contains("not valid UTF-8"), "{reasons:?}");
        assert!(reasons[3].contains("no digits"), "{reasons:?}");
        let skipped: Vec<(u32, u32, Option<&str>)> =
            parsed.skipped.iter().map(|s| (s.card, s.line, s.name.as_deref())).collect();
        assert_eq!(skipped, [(5, 22, None), (6, 26, Some("Cut"))]);
        assert!(parsed.skipped[0].reason.contains("nothing to show"));
        assert!(parsed.skipped[1].reason.contains("ends before END:VCARD"));
    }

    #[test]
    fn bytes_without_a_charset_that_are_not_utf8_are_read_as_windows_1252() {
        let parsed = parse(b"BEGIN:VCARD\nVERSION:3.0\nFN:Ren\xe9e\nEND:VCARD\n");
        assert_eq!(parsed.contacts[0].name, "Renée");
        assert!(parsed.dropped[0].reason.contains("read as Windows-1252"), "{:?}", parsed.dropped);
    }

    #[test]
    fn unfolding_joins_folds_and_soft_breaks_only_where_they_belong() {
        let file = b"A;ENCODING=QUOTED-PRINTABLE:one=\r\n=20two=\r\n\r\nB:x=\r\nC:y\r\n D\r\nno colon=\r\nE: z\r\n";
        let lines: Vec<(u32, String)> =
            unfold(file).into_iter().map(|(n, l)| (n, String::from_utf8(l).unwrap())).collect();
        let expected = [
            (1, "A;ENCODING=QUOTED-PRINTABLE:one=20two"),
            (4, "B:x="),
            (5, "C:yD"),
            (7, "no colon="),
            (8, "E: z"),
            (9, ""),
        ];
        let expected: Vec<(u32, String)> = expected.iter().map(|(n, l)| (*n, l.to_string())).collect();
        assert_eq!(lines, expected);
    }

    #[test]
    fn writes_and_reads_back() {
        let contact = super::super::Contact {
            id: 1,
            uid: Some("u-1".into()),
            name: "Renée, the; \\ Countess".into(),
            organization: "Org".into(),
            notes: "two\nlines".into(),
            favourite: true,
            preferred_provider: Some("work".into()),
            phones: vec![Phone { label: "cell".into(), number: "+1 (415) 555-0123".into(), preferred: true }],
            emails: vec![Email { label: "work".into(), address: "r@example.com".into() }],
        };
        let text = write(std::slice::from_ref(&contact));
        assert!(text.lines().all(|l| l.len() <= 76), "{text}");
        let back = &parse(text.as_bytes()).contacts[0];
        assert_eq!(back.name, contact.name);
        assert_eq!(back.notes, contact.notes);
        assert_eq!(back.uid, contact.uid);
        assert!(back.favourite);
        assert_eq!(back.preferred_provider.as_deref(), Some("work"));
        assert_eq!(back.phones[0].number, "+14155550123");
        assert!(back.phones[0].preferred);
        assert_eq!(back.emails[0].address, "r@example.com");
    }
}
