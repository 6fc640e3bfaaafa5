//! vCard 2.1, 3.0 and 4.0: reading what address books export, and writing 4.0.
//!
//! A small strict reader, because what matters here is exact: folded lines (CRLF or LF
//! followed by a space or tab), QUOTED-PRINTABLE values with soft line breaks and a
//! CHARSET (2.1), bare 2.1 types (`TEL;HOME;VOICE:`), `TYPE=a,b` lists and repeated
//! TYPE parameters (3.0/4.0), `tel:` URIs (4.0), escaped `\,` `\;` `\n` `\\`. A card
//! that cannot be read is reported (its number in the file, its name if any, and why)
//! and the cards around it are still read.

use encoding_rs::Encoding;

use super::{Email, NewContact, Phone};

/// A card that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Skipped {
    /// 1 for the first card in the file.
    pub card: u32,
    /// The line it starts on.
    pub line: u32,
    pub name: Option<String>,
    pub reason: String,
}

/// Every card of a file: those read, and those skipped with why.
#[derive(Debug, Default)]
pub struct Parsed {
    pub contacts: Vec<NewContact>,
    pub skipped: Vec<Skipped>,
}

/// One property line, unfolded: `group.NAME;PARAM=..:value`.
#[derive(Debug)]
struct Property {
    name: String,
    params: Vec<(String, String)>,
    value: Vec<u8>,
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

/// Splits a file into cards and reads each.
pub fn parse(bytes: &[u8]) -> Parsed {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let lines = unfold(bytes);
    let mut parsed = Parsed::default();
    let mut card_no = 0u32;
    let mut current: Option<(u32, u32, Vec<Property>, Option<String>)> = None;
    for (line_no, line) in lines {
        if line.iter().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        let upper = String::from_utf8_lossy(&line).trim().to_ascii_uppercase();
        if upper == "BEGIN:VCARD" {
            card_no += 1;
            if let Some((card, start, _, name)) = current.take() {
                parsed.skipped.push(Skipped {
                    card,
                    line: start,
                    name,
                    reason: "it has no END:VCARD before the next card".into(),
                });
            }
            current = Some((card_no, line_no, Vec::new(), None));
            continue;
        }
        if upper == "END:VCARD" {
            if let Some((card, start, props, name)) = current.take() {
                match build(&props) {
                    Ok(contact) => parsed.contacts.push(contact),
                    Err(reason) => parsed.skipped.push(Skipped { card, line: start, name, reason }),
                }
            }
            continue;
        }
        let Some((_, _, props, name)) = current.as_mut() else { continue };
        match property(&line) {
            Ok(prop) => {
                if prop.name == "FN" && name.is_none() {
                    *name = decode(&prop).ok().map(|v| unescape(&v));
                }
                props.push(prop);
            }
            Err(reason) => {
                // Remember the first bad line; the card is skipped at END.
                props.push(Property {
                    name: "X-DIALTONE-BAD".into(),
                    params: vec![],
                    value: format!("line {line_no}: {reason}").into_bytes(),
                });
            }
        }
    }
    if let Some((card, start, _, name)) = current {
        parsed.skipped.push(Skipped { card, line: start, name, reason: "the file ends before END:VCARD".into() });
    }
    parsed
}

/// Joins folded lines, and QUOTED-PRINTABLE soft breaks (`=` at the end of a line).
fn unfold(bytes: &[u8]) -> Vec<(u32, Vec<u8>)> {
    let mut out: Vec<(u32, Vec<u8>)> = Vec::new();
    for (index, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);
        let number = index as u32 + 1;
        match out.last_mut() {
            Some((_, previous)) if line.first().is_some_and(|&b| b == b' ' || b == b'\t') => {
                previous.extend_from_slice(&line[1..])
            }
            Some((_, previous)) if is_qp(previous) && previous.ends_with(b"=") => {
                previous.pop();
                previous.extend_from_slice(line);
            }
            _ => out.push((number, line.to_vec())),
        }
    }
    out
}

fn is_qp(line: &[u8]) -> bool {
    let head_end = line.iter().position(|&b| b == b':').unwrap_or(line.len());
    let head = String::from_utf8_lossy(&line[..head_end]).to_ascii_uppercase();
    head.contains("QUOTED-PRINTABLE")
}

fn property(line: &[u8]) -> Result<Property, String> {
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
        .ok_or("a line without ':'")?;
    let head = std::str::from_utf8(&line[..colon]).map_err(|_| "a property name that is not text".to_owned())?;
    let mut parts = split_unquoted(head, ';').into_iter();
    let full_name = parts.next().unwrap_or_default();
    let name = full_name.rsplit('.').next().unwrap_or_default().trim().to_ascii_uppercase();
    if name.is_empty() {
        return Err("a property without a name".into());
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
    Ok(Property { name, params, value: line[colon + 1..].to_vec() })
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

/// The value as text: QUOTED-PRINTABLE decoded, then the CHARSET (default UTF-8).
fn decode(prop: &Property) -> Result<String, String> {
    let encoding = prop.param("ENCODING").map(str::to_ascii_uppercase);
    let bytes = match encoding.as_deref() {
        Some("QUOTED-PRINTABLE" | "QP") => quoted_printable(&prop.value)?,
        Some("B" | "BASE64") => return Err("binary".into()),
        _ => prop.value.clone(),
    };
    match prop.param("CHARSET") {
        Some(label) => {
            let encoding = Encoding::for_label(label.as_bytes())
                .ok_or_else(|| format!("{}: unknown CHARSET “{label}”", prop.name))?;
            let (text, _, bad) = encoding.decode(&bytes);
            if bad { Err(format!("{}: not valid {label}", prop.name)) } else { Ok(text.into_owned()) }
        }
        None => String::from_utf8(bytes)
            .map_err(|_| format!("{}: not valid UTF-8 (and no CHARSET says what it is)", prop.name)),
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

fn build(props: &[Property]) -> Result<NewContact, String> {
    if let Some(bad) = props.iter().find(|p| p.name == "X-DIALTONE-BAD") {
        return Err(String::from_utf8_lossy(&bad.value).into_owned());
    }
    let version =
        props.iter().find(|p| p.name == "VERSION").map(|p| String::from_utf8_lossy(&p.value).trim().to_owned());
    match version.as_deref() {
        Some("2.1" | "3.0" | "4.0") => {}
        Some(other) => return Err(format!("VERSION {other} is not one we read (2.1, 3.0, 4.0)")),
        None => return Err("it has no VERSION".into()),
    }
    let mut contact = NewContact::default();
    let mut structured_name = None;
    for prop in props {
        let text = || decode(prop);
        match prop.name.as_str() {
            "FN" => contact.name = unescape(&text()?).trim().to_owned(),
            "N" => {
                let parts = components(&text()?);
                // family; given; additional; prefix; suffix → "prefix given additional family suffix"
                let get = |i: usize| parts.get(i).map(|s| s.trim()).unwrap_or_default().to_owned();
                let name = [get(3), get(1), get(2), get(0), get(4)]
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ");
                structured_name = Some(name);
            }
            "ORG" => {
                contact.organization = components(&text()?).into_iter().next().unwrap_or_default().trim().to_owned()
            }
            "NOTE" => contact.notes = unescape(&text()?),
            "UID" => contact.uid = Some(unescape(&text()?).trim().to_owned()).filter(|u| !u.is_empty()),
            "TEL" => {
                let value = unescape(&text()?);
                let number = value.trim();
                let number = number.strip_prefix("tel:").or_else(|| number.strip_prefix("TEL:")).unwrap_or(number);
                if number.is_empty() {
                    continue;
                }
                contact.phones.push(Phone {
                    label: label_of(prop),
                    number: number.to_owned(),
                    preferred: prop.preferred(),
                });
            }
            "EMAIL" => {
                let address = unescape(&text()?).trim().to_owned();
                if address.is_empty() {
                    continue;
                }
                if !address.contains('@') {
                    return Err(format!("EMAIL “{address}” is not an email address"));
                }
                contact.emails.push(Email { label: label_of(prop), address });
            }
            "X-DIALTONE-FAVOURITE" => contact.favourite = text()?.trim() == "1",
            "X-DIALTONE-PROVIDER" => {
                contact.preferred_provider = Some(text()?.trim().to_owned()).filter(|p| !p.is_empty())
            }
            _ => {}
        }
    }
    if contact.name.is_empty() {
        contact.name = structured_name.unwrap_or_default();
    }
    if contact.name.is_empty() {
        contact.name = contact.organization.clone();
    }
    if contact.name.is_empty() {
        return Err("it has no name (FN, N or ORG)".into());
    }
    Ok(contact)
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
    fn a_broken_card_is_reported_and_its_neighbours_kept() {
        let file = "BEGIN:VCARD\nVERSION:3.0\nFN:First\nEND:VCARD\nBEGIN:VCARD\nVERSION:3.0\nFN:Broken\nEMAIL:not-an-address\nEND:VCARD\nBEGIN:VCARD\nVERSION:3.0\nTEL:+14155550123\nEND:VCARD\nBEGIN:VCARD\nVERSION:3.0\nFN:Last\nEND:VCARD\nBEGIN:VCARD\nVERSION:3.0\nFN:Cut\n";
        let parsed = parse(file.as_bytes());
        let names: Vec<&str> = parsed.contacts.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["First", "Last"]);
        assert_eq!(parsed.skipped.len(), 3);
        assert_eq!(
            (parsed.skipped[0].card, parsed.skipped[0].line, parsed.skipped[0].name.as_deref()),
            (2, 5, Some("Broken"))
        );
        assert!(parsed.skipped[0].reason.contains("not an email address"));
        assert!(parsed.skipped[1].reason.contains("no name"));
        assert!(parsed.skipped[2].reason.contains("ends before END:VCARD"));
    }

    #[test]
    fn bad_bytes_without_a_charset_are_reported() {
        let parsed = parse(b"BEGIN:VCARD\nVERSION:3.0\nFN:Ren\xe9e\nEND:VCARD\n");
        assert!(parsed.contacts.is_empty());
        assert!(parsed.skipped[0].reason.contains("UTF-8"), "{:?}", parsed.skipped);
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
