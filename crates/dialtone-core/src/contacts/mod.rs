//! Contacts: the people side of the softphone, in SQLite.
//!
//! A contact has a name, an organisation, labelled phone numbers and emails, notes, a
//! favourite flag and a preferred provider. Numbers are kept as the person wrote them,
//! with their E.164 form beside (when they parse) for matching and calling.
//!
//! Search is as-you-type over name, organisation, email and number: case- and
//! accent-insensitive substrings ("renee" finds Renée, "lovel" finds Lovelace), and a
//! number in any spelling finds the card. A trigram full-text index (FTS5) holds, per
//! contact, the folded text and the digits of every number; favourites and names that
//! start with the query rank first. [`vcard`] reads and writes address-book files;
//! importing merges with what is there ([`merge`]), so importing a file again never
//! adds a contact.

mod merge;
pub mod vcard;

use std::collections::HashSet;

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::db::{failed, now_ms};
use crate::numbers::PhoneNumber;
use crate::{Error, ErrorCode, Result};

/// Up to this many matches, search ranks them all exactly; past it, it scans in order.
pub const EXACT_RANKING_UP_TO: u32 = 2000;

/// A phone number of a contact, as written, with its label (`cell`, `work`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Phone {
    pub label: String,
    pub number: String,
    /// Marked preferred in the address book: called when the contact is called by name.
    pub preferred: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Email {
    pub label: String,
    pub address: String,
}

/// A contact as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Contact {
    pub id: i64,
    pub uid: Option<String>,
    pub name: String,
    pub organization: String,
    pub notes: String,
    pub favourite: bool,
    pub preferred_provider: Option<String>,
    pub phones: Vec<Phone>,
    pub emails: Vec<Email>,
}

/// A contact to add, or the new state of one being edited.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct NewContact {
    pub uid: Option<String>,
    pub name: String,
    pub organization: String,
    pub notes: String,
    pub favourite: bool,
    pub preferred_provider: Option<String>,
    pub phones: Vec<Phone>,
    pub emails: Vec<Email>,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ImportReport {
    pub added: u32,
    pub merged: u32,
    /// Cards that could not be a contact at all.
    pub skipped: Vec<vcard::CardProblem>,
    /// Properties left out of cards that were imported.
    pub dropped: Vec<vcard::CardProblem>,
}

/// Lower case, accents removed (NFD, combining marks dropped): "Renée" → "renee".
pub fn fold(text: &str) -> String {
    text.nfd().filter(|c| !is_combining_mark(*c)).flat_map(char::to_lowercase).collect()
}

fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

/// Each number's E.164 form, where it parses (in `region` when written without `+`).
/// Parsing is the costly part of storing a contact, so it is done once per number.
fn e164s(phones: &[Phone], region: Option<&str>) -> Vec<Option<String>> {
    phones.iter().map(|p| PhoneNumber::parse(&p.number, region).ok().map(|n| n.e164().to_owned())).collect()
}

/// The contact's numbers' digits as searched: the E.164 digits (`14155550123`) and the
/// digits as written, so every spelling of the number is a substring of one of them.
fn search_digits(phones: &[Phone], e164s: &[Option<String>]) -> String {
    let mut out = Vec::new();
    for (p, e164) in phones.iter().zip(e164s) {
        if let Some(e164) = e164 {
            out.push(e164.trim_start_matches('+').to_owned());
        }
        out.push(digits(&p.number));
    }
    out.join(" ")
}

fn search_text(c: &NewContact) -> String {
    let mut parts = vec![fold(&c.name), fold(&c.organization)];
    parts.extend(c.emails.iter().map(|e| fold(&e.address)));
    parts.join(" ")
}

fn check(contact: &NewContact) -> Result<()> {
    if contact.name.trim().is_empty() {
        return Err(Error::invalid_input("A contact needs a name."));
    }
    if let Some(e) = contact.emails.iter().find(|e| !e.address.contains('@')) {
        return Err(Error::invalid_input(format!("“{}” is not an email address.", e.address)));
    }
    if let Some(p) = contact.phones.iter().find(|p| digits(&p.number).is_empty()) {
        return Err(Error::invalid_input(format!("“{}” has no digits to call.", p.number)));
    }
    Ok(())
}

/// The contacts of one database connection.
#[derive(Debug)]
pub struct Contacts<'c> {
    conn: &'c Connection,
    /// Numbers written without `+` are read in this region.
    region: Option<String>,
}

impl<'c> Contacts<'c> {
    pub fn new(conn: &'c Connection, region: Option<String>) -> Self {
        Self { conn, region }
    }

    pub fn add(&self, contact: &NewContact) -> Result<Contact> {
        check(contact)?;
        let tx = self.conn.unchecked_transaction().map_err(failed)?;
        let id = insert(&tx, contact, &e164s(&contact.phones, self.region.as_deref()))?;
        tx.commit().map_err(failed)?;
        self.get(id)
    }

    pub fn update(&self, id: i64, contact: &NewContact) -> Result<Contact> {
        check(contact)?;
        let tx = self.conn.unchecked_transaction().map_err(failed)?;
        self.require(id)?;
        replace(&tx, id, contact, &e164s(&contact.phones, self.region.as_deref()))?;
        tx.commit().map_err(failed)?;
        self.get(id)
    }

    pub fn delete(&self, id: i64) -> Result<()> {
        let tx = self.conn.unchecked_transaction().map_err(failed)?;
        self.require(id)?;
        tx.execute("DELETE FROM contacts_search WHERE rowid = ?1", [id]).map_err(failed)?;
        tx.execute("DELETE FROM contacts WHERE id = ?1", [id]).map_err(failed)?;
        tx.commit().map_err(failed)
    }

    fn require(&self, id: i64) -> Result<()> {
        let found: Option<i64> = self
            .conn
            .query_row("SELECT id FROM contacts WHERE id = ?1", [id], |r| r.get(0))
            .optional()
            .map_err(failed)?;
        found
            .map(|_| ())
            .ok_or_else(|| Error::invalid_input(format!("There is no contact {id}; it may have been deleted.")))
    }

    pub fn get(&self, id: i64) -> Result<Contact> {
        self.require(id)?;
        let mut contacts = self.load(&[id])?;
        contacts.pop().ok_or_else(|| Error::internal("contact vanished"))
    }

    /// Every contact, by name.
    pub fn list(&self) -> Result<Vec<Contact>> {
        let mut stmt = self.conn.prepare("SELECT id FROM contacts ORDER BY name_key, id").map_err(failed)?;
        let ids: Vec<i64> =
            stmt.query_map([], |r| r.get(0)).map_err(failed)?.collect::<rusqlite::Result<_>>().map_err(failed)?;
        self.load(&ids)
    }

    /// The first `limit` contacts to show before anything is typed: favourites, then by name.
    pub fn first(&self, limit: u32) -> Result<Vec<Contact>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id FROM contacts ORDER BY favourite DESC, name_key, id LIMIT ?1")
            .map_err(failed)?;
        let ids: Vec<i64> =
            stmt.query_map([limit], |r| r.get(0)).map_err(failed)?.collect::<rusqlite::Result<_>>().map_err(failed)?;
        self.load(&ids)
    }

    pub fn count(&self) -> Result<u64> {
        self.conn.query_row("SELECT count(*) FROM contacts", [], |r| r.get(0)).map_err(failed)
    }

    /// The contacts with these ids, in this order: three queries per 500 contacts
    /// (search shows its results with one round of them).
    fn load(&self, ids: &[i64]) -> Result<Vec<Contact>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            // Integers only, written by us: safe to put in the statement.
            let list = chunk.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
            let mut by_id: std::collections::HashMap<i64, Contact> =
                std::collections::HashMap::with_capacity(chunk.len());
            let sql = format!(
                "SELECT id, uid, name, organization, notes, favourite, preferred_provider FROM contacts WHERE id IN ({list})"
            );
            let mut stmt = self.conn.prepare(&sql).map_err(failed)?;
            let rows = stmt
                .query_map([], |r| {
                    Ok(Contact {
                        id: r.get(0)?,
                        uid: r.get(1)?,
                        name: r.get(2)?,
                        organization: r.get(3)?,
                        notes: r.get(4)?,
                        favourite: r.get(5)?,
                        preferred_provider: r.get(6)?,
                        phones: Vec::new(),
                        emails: Vec::new(),
                    })
                })
                .map_err(failed)?;
            for contact in rows {
                let contact = contact.map_err(failed)?;
                by_id.insert(contact.id, contact);
            }
            let sql = format!(
                "SELECT contact_id, label, number, preferred FROM phones WHERE contact_id IN ({list}) ORDER BY contact_id, position"
            );
            let mut stmt = self.conn.prepare(&sql).map_err(failed)?;
            let mut rows = stmt.query([]).map_err(failed)?;
            while let Some(r) = rows.next().map_err(failed)? {
                if let Some(c) = by_id.get_mut(&r.get::<_, i64>(0).map_err(failed)?) {
                    c.phones.push(Phone {
                        label: r.get(1).map_err(failed)?,
                        number: r.get(2).map_err(failed)?,
                        preferred: r.get(3).map_err(failed)?,
                    });
                }
            }
            let sql = format!(
                "SELECT contact_id, label, address FROM emails WHERE contact_id IN ({list}) ORDER BY contact_id, position"
            );
            let mut stmt = self.conn.prepare(&sql).map_err(failed)?;
            let mut rows = stmt.query([]).map_err(failed)?;
            while let Some(r) = rows.next().map_err(failed)? {
                if let Some(c) = by_id.get_mut(&r.get::<_, i64>(0).map_err(failed)?) {
                    c.emails.push(Email { label: r.get(1).map_err(failed)?, address: r.get(2).map_err(failed)? });
                }
            }
            out.extend(chunk.iter().filter_map(|id| by_id.remove(id)));
        }
        Ok(out)
    }

    /// Contacts matching what is typed so far, best first, at most `limit`.
    pub fn search(&self, query: &str, limit: u32) -> Result<Vec<Contact>> {
        let ids = self.search_ids(query, limit)?;
        self.load(&ids)
    }

    /// The ids of [`Contacts::search`]'s results: the part that must be fast.
    ///
    /// When few contacts match (at most [`EXACT_RANKING_UP_TO`]), the trigram index finds
    /// them all and they are ranked exactly. When many do (a common substring, or one or
    /// two characters, which a trigram index cannot look up), the same ranking is built
    /// from ordered index scans that stop after `limit` rows: favourites, then names
    /// that start with the query, then the rest by name. Many matches means each scan
    /// meets one soon, so neither path reads much of a large book.
    pub fn search_ids(&self, query: &str, limit: u32) -> Result<Vec<i64>> {
        let folded = fold(query.trim());
        if folded.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let query_digits = digits(&folded);
        let numberish = folded.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c)) && !query_digits.is_empty();
        if !numberish && !folded.chars().any(char::is_alphanumeric) {
            return Ok(Vec::new()); // only punctuation so far: nothing to look for yet
        }
        let needle = if numberish { query_digits } else { folded.clone() };
        let long = needle.chars().count() >= 3;
        let collect = |sql: &str, args: &[&dyn rusqlite::ToSql]| -> Result<Vec<i64>> {
            let mut stmt = self.conn.prepare_cached(sql).map_err(failed)?;
            stmt.query_map(args, |r| r.get(0)).map_err(failed)?.collect::<rusqlite::Result<Vec<i64>>>().map_err(failed)
        };
        if long {
            let column = if numberish { "digits" } else { "text" };
            let phrase = format!("{column} : \"{}\"", needle.replace('"', "\"\""));
            let cap = EXACT_RANKING_UP_TO + 1;
            let found: u32 = self
                .conn
                .prepare_cached(
                    "SELECT count(*) FROM (SELECT 1 FROM contacts_search WHERE contacts_search MATCH ?1 LIMIT ?2)",
                )
                .and_then(|mut s| s.query_row(params![phrase, cap], |r| r.get(0)))
                .map_err(failed)?;
            if found < cap {
                return collect(
                    "SELECT c.id FROM contacts_search s JOIN contacts c ON c.id = s.rowid WHERE contacts_search MATCH ?1 \
                     ORDER BY c.favourite DESC, (substr(c.name_key, 1, length(?2)) = ?2) DESC, c.name_key, c.id LIMIT ?3",
                    &[&phrase, &folded, &limit],
                );
            }
        }
        if !long && !numberish {
            // One or two letters: a word of the name starting with them, from the word index.
            let words = "SELECT contact_id FROM contact_words WHERE word >= ?1 AND word < ?1 || char(1114111)";
            let found: u32 = self
                .conn
                .prepare_cached(&format!("SELECT count(*) FROM ({words} LIMIT ?2)"))
                .and_then(|mut s| s.query_row(params![needle, EXACT_RANKING_UP_TO + 1], |r| r.get(0)))
                .map_err(failed)?;
            if found <= EXACT_RANKING_UP_TO {
                return collect(
                    &format!(
                        "SELECT c.id FROM contacts c WHERE c.id IN ({words}) \
                         ORDER BY c.favourite DESC, (substr(c.name_key, 1, length(?1)) = ?1) DESC, c.name_key, c.id LIMIT ?2"
                    ),
                    &[&needle, &limit],
                );
            }
        }
        // Many matches: ordered scans that stop early.
        let matches = match (numberish, long) {
            (true, _) => "instr(search_digits, ?1) > 0",
            (false, true) => "instr(search_text, ?1) > 0",
            // One or two letters: a word of the name starting with them.
            (false, false) => "instr(' ' || name_key, ' ' || ?1) > 0",
        };
        let mut ids = collect(
            &format!("SELECT id FROM contacts WHERE favourite = 1 AND {matches} ORDER BY name_key LIMIT ?2"),
            &[&needle, &limit],
        )?;
        let mut seen: HashSet<i64> = ids.iter().copied().collect();
        let mut add = |more: Vec<i64>, ids: &mut Vec<i64>| {
            for id in more {
                if ids.len() < limit as usize && seen.insert(id) {
                    ids.push(id);
                }
            }
        };
        if !numberish && ids.len() < limit as usize {
            let more = collect(
                "SELECT id FROM contacts WHERE name_key >= ?1 AND name_key < ?1 || char(1114111) ORDER BY name_key, id LIMIT ?2",
                &[&folded, &limit],
            )?;
            add(more, &mut ids);
        }
        if ids.len() < limit as usize {
            let wanted = limit + ids.len() as u32;
            let more = collect(
                &format!("SELECT id FROM contacts WHERE {matches} ORDER BY name_key, id LIMIT ?2"),
                &[&needle, &wanted],
            )?;
            add(more, &mut ids);
        }
        Ok(ids)
    }

    /// Imports a vCard file, merging with what is there: [`vcard::parse`], then
    /// [`Contacts::import_parsed`].
    pub fn import(&self, bytes: &[u8], progress: impl FnMut(usize, usize)) -> Result<ImportReport> {
        self.import_parsed(vcard::parse(bytes), progress)
    }

    /// Stores the cards of a parsed file, merging with what is there; one
    /// transaction, so a crash mid-import leaves the book as it was before. Parsing
    /// is kept apart so that callers can do it before they take the database.
    pub fn import_parsed(&self, parsed: vcard::Parsed, mut progress: impl FnMut(usize, usize)) -> Result<ImportReport> {
        let mut report = ImportReport { skipped: parsed.skipped, dropped: parsed.dropped, ..ImportReport::default() };
        let total = parsed.contacts.len();
        let tx = self.conn.unchecked_transaction().map_err(failed)?;
        let mut known = merge::Known::read(&tx)?;
        for (index, contact) in parsed.contacts.iter().enumerate() {
            let numbers = e164s(&contact.phones, self.region.as_deref());
            match known.same_as(contact, &numbers) {
                Some(id) => {
                    merge::merge_into(&tx, id, contact, self.region.as_deref())?;
                    report.merged += 1;
                    known.refresh(&tx, id)?;
                }
                None => {
                    let id = insert(&tx, contact, &numbers)?;
                    report.added += 1;
                    known.refresh(&tx, id)?;
                }
            }
            if index % 1000 == 999 || index + 1 == total {
                progress(index + 1, total);
            }
        }
        tx.commit().map_err(failed)?;
        Ok(report)
    }

    /// The whole book as vCard 4.0.
    pub fn export(&self) -> Result<String> {
        Ok(vcard::write(&self.list()?))
    }

    /// The contact with this number (E.164), if one has it.
    pub fn by_number(&self, e164: &str) -> Result<Option<Contact>> {
        let id: Option<i64> = self
            .conn
            .prepare_cached("SELECT contact_id FROM phones WHERE e164 = ?1 ORDER BY contact_id LIMIT 1")
            .and_then(|mut s| s.query_row([e164], |r| r.get(0)).optional())
            .map_err(failed)?;
        id.map(|id| self.get(id)).transpose()
    }

    /// Finds the contact a name (as typed) means: exactly that name, else the one
    /// search result. `None` when nothing matches; an error listing them when several do.
    pub fn by_name(&self, name: &str) -> Result<Option<Contact>> {
        let key = fold(name.trim());
        let mut stmt = self.conn.prepare_cached("SELECT id FROM contacts WHERE name_key = ?1").map_err(failed)?;
        let exact: Vec<i64> =
            stmt.query_map([&key], |r| r.get(0)).map_err(failed)?.collect::<rusqlite::Result<_>>().map_err(failed)?;
        let ids = if exact.is_empty() { self.search_ids(name, 6)? } else { exact };
        match ids.as_slice() {
            [] => Ok(None),
            [id] => self.get(*id).map(Some),
            many => {
                let names: Vec<String> = self.load(&many[..many.len().min(5)])?.into_iter().map(|c| c.name).collect();
                Err(Error::new(
                    ErrorCode::InvalidInput,
                    format!("“{}” matches several contacts: {}. Type more of the name.", name.trim(), names.join("; ")),
                ))
            }
        }
    }
}

fn insert(tx: &Transaction<'_>, c: &NewContact, e164s: &[Option<String>]) -> Result<i64> {
    tx.prepare_cached(
        "INSERT INTO contacts (uid, name, organization, notes, favourite, preferred_provider, name_key, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )
    .and_then(|mut s| {
        s.execute(params![
            c.uid,
            c.name.trim(),
            c.organization,
            c.notes,
            c.favourite,
            c.preferred_provider,
            fold(c.name.trim()),
            now_ms()
        ])
    })
    .map_err(|err| match err {
        rusqlite::Error::SqliteFailure(e, _) if e.code == rusqlite::ErrorCode::ConstraintViolation => {
            Error::invalid_input(format!(
                "Another contact already has the UID “{}”.",
                c.uid.as_deref().unwrap_or_default()
            ))
        }
        other => failed(other),
    })?;
    let id = tx.last_insert_rowid();
    write_details(tx, id, c, e164s)?;
    Ok(id)
}

fn replace(tx: &Transaction<'_>, id: i64, c: &NewContact, e164s: &[Option<String>]) -> Result<()> {
    tx.execute(
        "UPDATE contacts SET uid = ?2, name = ?3, organization = ?4, notes = ?5, favourite = ?6, preferred_provider = ?7, \
         name_key = ?8, updated_at = ?9 WHERE id = ?1",
        params![id, c.uid, c.name.trim(), c.organization, c.notes, c.favourite, c.preferred_provider, fold(c.name.trim()), now_ms()],
    )
    .map_err(failed)?;
    tx.execute("DELETE FROM phones WHERE contact_id = ?1", [id]).map_err(failed)?;
    tx.execute("DELETE FROM emails WHERE contact_id = ?1", [id]).map_err(failed)?;
    tx.execute("DELETE FROM contacts_search WHERE rowid = ?1", [id]).map_err(failed)?;
    tx.execute("DELETE FROM contact_words WHERE contact_id = ?1", [id]).map_err(failed)?;
    write_details(tx, id, c, e164s)
}

fn write_details(tx: &Transaction<'_>, id: i64, c: &NewContact, e164s: &[Option<String>]) -> Result<()> {
    let mut phone = tx
        .prepare_cached(
            "INSERT INTO phones (contact_id, position, label, number, e164, preferred) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .map_err(failed)?;
    for (i, (p, e164)) in c.phones.iter().zip(e164s).enumerate() {
        phone.execute(params![id, i as i64, p.label, p.number, e164, p.preferred]).map_err(failed)?;
    }
    let mut email = tx
        .prepare_cached("INSERT INTO emails (contact_id, position, label, address) VALUES (?1, ?2, ?3, ?4)")
        .map_err(failed)?;
    for (i, e) in c.emails.iter().enumerate() {
        email.execute(params![id, i as i64, e.label, e.address]).map_err(failed)?;
    }
    let (text, digits) = (search_text(c), search_digits(&c.phones, e164s));
    tx.prepare_cached("INSERT INTO contacts_search (rowid, text, digits) VALUES (?1, ?2, ?3)")
        .and_then(|mut s| s.execute(params![id, text, digits]))
        .map_err(failed)?;
    tx.prepare_cached("UPDATE contacts SET search_text = ?2, search_digits = ?3 WHERE id = ?1")
        .and_then(|mut s| s.execute(params![id, text, digits]))
        .map_err(failed)?;
    let mut word =
        tx.prepare_cached("INSERT OR IGNORE INTO contact_words (word, contact_id) VALUES (?1, ?2)").map_err(failed)?;
    for w in fold(c.name.trim()).split(|ch: char| !ch.is_alphanumeric()).filter(|w| !w.is_empty()) {
        word.execute(params![w, id]).map_err(failed)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book() -> (tempfile::TempDir, Connection) {
        let dir = tempfile::tempdir().unwrap();
        let conn = crate::db::open(dir.path()).unwrap();
        (dir, conn)
    }

    fn person(name: &str, number: &str) -> NewContact {
        NewContact {
            name: name.into(),
            phones: vec![Phone { label: "cell".into(), number: number.into(), preferred: false }],
            ..Default::default()
        }
    }

    #[test]
    fn folds_case_and_accents() {
        assert_eq!(fold("Renée ÅNGSTRÖM"), "renee angstrom");
    }

    #[test]
    fn search_finds_by_name_accent_substring_email_and_any_number_spelling() {
        let (_dir, conn) = book();
        let contacts = Contacts::new(&conn, Some("US".into()));
        let mut ada = person("Ada Lovelace", "+1 (415) 555-0123");
        ada.emails.push(Email { label: "work".into(), address: "ada@engines.example".into() });
        ada.organization = "Analytical Engines".into();
        contacts.add(&ada).unwrap();
        contacts.add(&person("Renée Dupré", "+33 1 23 45 67 89")).unwrap();
        contacts.add(&person("Grace Hopper", "202-555-0199")).unwrap();
        let names = |q: &str| contacts.search(q, 10).unwrap().into_iter().map(|c| c.name).collect::<Vec<_>>();
        assert_eq!(names("renee"), ["Renée Dupré"]);
        assert_eq!(names("RENÉE"), ["Renée Dupré"]);
        assert_eq!(names("lovel"), ["Ada Lovelace"]);
        assert_eq!(names("analytical"), ["Ada Lovelace"]);
        assert_eq!(names("engines.example"), ["Ada Lovelace"]);
        for spelling in ["4155550123", "(415) 555-0123", "+14155550123", "555-0123"] {
            assert_eq!(names(spelling), ["Ada Lovelace"], "{spelling}");
        }
        assert_eq!(names("2025550199"), ["Grace Hopper"], "a number written without +, read in the region");
        assert_eq!(names("g"), ["Grace Hopper"]);
        assert_eq!(names("ho"), ["Grace Hopper"], "a word of the name starting with it");
        assert!(names("zzz").is_empty());
    }

    #[test]
    fn favourites_and_prefixes_rank_first() {
        let (_dir, conn) = book();
        let contacts = Contacts::new(&conn, None);
        contacts.add(&person("Bob Anders", "+14155550001")).unwrap();
        contacts.add(&person("Anders Celsius", "+14155550002")).unwrap();
        let mut fav = person("Zed Andersson", "+14155550003");
        fav.favourite = true;
        contacts.add(&fav).unwrap();
        let names: Vec<String> = contacts.search("anders", 10).unwrap().into_iter().map(|c| c.name).collect();
        assert_eq!(names, ["Zed Andersson", "Anders Celsius", "Bob Anders"]);
    }

    #[test]
    fn many_matches_rank_like_few() {
        // More matches than EXACT_RANKING_UP_TO take the scanning path; its order must be
        // the exact path's: favourites, then names starting with the query, then by name.
        let (_dir, conn) = book();
        let contacts = Contacts::new(&conn, None);
        let tx = conn.unchecked_transaction().unwrap();
        for i in 0..(EXACT_RANKING_UP_TO + 50) {
            let c = person(&format!("Zed Smithson {i:05}"), &format!("+1415555{:04}", i % 10_000));
            insert(&tx, &c, &e164s(&c.phones, None)).unwrap();
        }
        tx.commit().unwrap();
        let mut fav = person("Yves Smithson", "+14155559999");
        fav.favourite = true;
        contacts.add(&fav).unwrap();
        contacts.add(&person("Smithson Alpha", "+14155559998")).unwrap();
        let names: Vec<String> = contacts.search("smithson", 4).unwrap().into_iter().map(|c| c.name).collect();
        assert_eq!(names, ["Yves Smithson", "Smithson Alpha", "Zed Smithson 00000", "Zed Smithson 00001"]);
        let by_number: Vec<String> = contacts.search("415555", 2).unwrap().into_iter().map(|c| c.name).collect();
        assert_eq!(by_number, ["Yves Smithson", "Smithson Alpha"]);
        let short: Vec<String> = contacts.search("sm", 3).unwrap().into_iter().map(|c| c.name).collect();
        assert_eq!(short, ["Yves Smithson", "Smithson Alpha", "Zed Smithson 00000"]);
    }

    #[test]
    fn edit_and_delete_keep_the_index_in_step() {
        let (_dir, conn) = book();
        let contacts = Contacts::new(&conn, None);
        let ada = contacts.add(&person("Ada Lovelace", "+14155550123")).unwrap();
        let mut changed = person("Ada King", "+442079460958");
        changed.notes = "Countess".into();
        contacts.update(ada.id, &changed).unwrap();
        assert!(contacts.search("lovelace", 5).unwrap().is_empty());
        assert_eq!(contacts.search("king", 5).unwrap()[0].notes, "Countess");
        assert!(contacts.search("4155550123", 5).unwrap().is_empty());
        contacts.delete(ada.id).unwrap();
        assert!(contacts.search("king", 5).unwrap().is_empty());
        assert!(contacts.get(ada.id).is_err());
        assert!(contacts.add(&NewContact::default()).unwrap_err().message.contains("needs a name"));
    }

    #[test]
    fn reimporting_merges_instead_of_duplicating() {
        let (_dir, conn) = book();
        let contacts = Contacts::new(&conn, Some("US".into()));
        let first = "BEGIN:VCARD\nVERSION:3.0\nUID:u-1\nFN:Ada Lovelace\nTEL:+14155550123\nEND:VCARD\nBEGIN:VCARD\nVERSION:3.0\nFN:Grace Hopper\nTEL:202-555-0199\nEND:VCARD\n";
        let report = contacts.import(first.as_bytes(), |_, _| {}).unwrap();
        assert_eq!((report.added, report.merged), (2, 0));
        let again = contacts.import(first.as_bytes(), |_, _| {}).unwrap();
        assert_eq!((again.added, again.merged), (0, 2));
        // An updated export: Ada (by UID) gains an email, Grace (no UID: name + number) a second number.
        let updated = "BEGIN:VCARD\nVERSION:3.0\nUID:u-1\nFN:Ada Lovelace\nTEL:+14155550123\nEMAIL:ada@example.com\nEND:VCARD\nBEGIN:VCARD\nVERSION:3.0\nFN:Grace Hopper\nTEL:+1 202 555 0199\nTEL;TYPE=work:+1 202 555 0100\nEND:VCARD\n";
        let report = contacts.import(updated.as_bytes(), |_, _| {}).unwrap();
        assert_eq!((report.added, report.merged), (0, 2));
        assert_eq!(contacts.count().unwrap(), 2);
        let grace = &contacts.search("grace", 1).unwrap()[0];
        assert_eq!(grace.phones.len(), 2);
        assert_eq!(contacts.search("ada", 1).unwrap()[0].emails[0].address, "ada@example.com");
    }

    #[test]
    fn by_name_finds_one_or_lists_several() {
        let (_dir, conn) = book();
        let contacts = Contacts::new(&conn, None);
        contacts.add(&person("Ada Lovelace", "+14155550123")).unwrap();
        contacts.add(&person("Ada King", "+14155550124")).unwrap();
        assert_eq!(contacts.by_name("ada lovelace").unwrap().unwrap().name, "Ada Lovelace");
        assert_eq!(contacts.by_name("lovel").unwrap().unwrap().name, "Ada Lovelace");
        let err = contacts.by_name("ada").unwrap_err();
        assert!(err.message.contains("Ada King") && err.message.contains("Ada Lovelace"), "{}", err.message);
        assert!(contacts.by_name("nobody").unwrap().is_none());
    }
}
