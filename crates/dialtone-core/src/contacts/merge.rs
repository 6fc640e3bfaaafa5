//! Importing without duplicating: which stored contact a card is, and uniting the two.
//!
//! A card is the same person as a stored contact with the same UID; else with the same
//! folded name and a number or an email in common; a card with neither numbers nor
//! emails is the same person as a contact of its name. A number is compared by every
//! form [`super::search_digits`] keeps of it: its E.164 digits where it parses, and its
//! digits as written, so a number that does not parse (in this home region, or at
//! all) still matches itself. So importing a file again never adds a contact, whatever
//! its version, its numbers or the home region.
//!
//! The book's keys are read once per import into memory ([`Known`]) and kept up to
//! date as cards are stored: one pass over the book, however many cards the file has
//! and however many people share a name.

use std::collections::{HashMap, HashSet};

use rusqlite::Transaction;

use super::{Contacts, NewContact, digits, e164s, fold, replace, search_digits};
use crate::db::failed;
use crate::numbers::PhoneNumber;
use crate::{Error, Result};

/// What identifies the contacts of the book, for matching cards against.
#[derive(Debug, Default)]
pub(super) struct Known {
    by_uid: HashMap<String, i64>,
    /// (folded name, number key) → the first contact with both.
    by_number: HashMap<(String, String), i64>,
    /// (folded name, folded email) → the first contact with both.
    by_email: HashMap<(String, String), i64>,
    /// Folded name → the first contact of that name.
    by_name: HashMap<String, i64>,
}

impl Known {
    /// The keys of every stored contact, read from the covering name index.
    pub(super) fn read(tx: &Transaction<'_>) -> Result<Self> {
        let mut known = Self::default();
        let mut stmt = tx
            .prepare("SELECT id, uid, name_key, search_text, search_digits FROM contacts ORDER BY id")
            .map_err(failed)?;
        let mut rows = stmt.query([]).map_err(failed)?;
        while let Some(row) = rows.next().map_err(failed)? {
            let id: i64 = row.get(0).map_err(failed)?;
            let uid: Option<String> = row.get(1).map_err(failed)?;
            let name: String = row.get(2).map_err(failed)?;
            let text: String = row.get(3).map_err(failed)?;
            let numbers: String = row.get(4).map_err(failed)?;
            // search_text is the folded name, organisation and emails: emails are its words with an @.
            let emails = text.split(' ').filter(|w| w.contains('@'));
            known.add(id, uid.as_deref(), &name, numbers.split(' '), emails);
        }
        Ok(known)
    }

    fn add<'a>(
        &mut self,
        id: i64,
        uid: Option<&str>,
        name: &str,
        numbers: impl Iterator<Item = &'a str>,
        emails: impl Iterator<Item = &'a str>,
    ) {
        if let Some(uid) = uid {
            self.by_uid.entry(uid.to_owned()).or_insert(id);
        }
        self.by_name.entry(name.to_owned()).or_insert(id);
        for number in numbers.filter(|n| !n.is_empty()) {
            self.by_number.entry((name.to_owned(), number.to_owned())).or_insert(id);
        }
        for email in emails {
            self.by_email.entry((name.to_owned(), email.to_owned())).or_insert(id);
        }
    }

    /// The stored contact this card is the same person as, if any.
    pub(super) fn same_as(&self, card: &NewContact, e164s: &[Option<String>]) -> Option<i64> {
        if let Some(id) = card.uid.as_ref().and_then(|uid| self.by_uid.get(uid)) {
            return Some(*id);
        }
        let name = fold(card.name.trim());
        if card.phones.is_empty() && card.emails.is_empty() {
            return self.by_name.get(&name).copied();
        }
        let numbers = search_digits(&card.phones, e164s);
        let by_number = numbers
            .split(' ')
            .filter(|n| !n.is_empty())
            .find_map(|number| self.by_number.get(&(name.clone(), number.to_owned())).copied());
        by_number
            .or_else(|| card.emails.iter().find_map(|e| self.by_email.get(&(name.clone(), fold(&e.address))).copied()))
    }

    /// Remembers what a card stored as contact `id` brought.
    pub(super) fn learn(&mut self, id: i64, card: &NewContact, e164s: &[Option<String>]) {
        let numbers = search_digits(&card.phones, e164s);
        let emails: Vec<String> = card.emails.iter().map(|e| fold(&e.address)).collect();
        let name = fold(card.name.trim());
        self.add(id, card.uid.as_deref(), &name, numbers.split(' '), emails.iter().map(String::as_str));
    }
}

/// The card's fields win where it has them; numbers and emails are united, not lost.
pub(super) fn merge_into(tx: &Transaction<'_>, id: i64, card: &NewContact, region: Option<&str>) -> Result<()> {
    let stored = Contacts { conn: tx, region: region.map(str::to_owned) }
        .load(&[id])?
        .pop()
        .ok_or_else(|| Error::internal("merged contact vanished"))?;
    let key = |n: &str| PhoneNumber::parse(n, region).map(|p| p.e164().to_owned()).unwrap_or_else(|_| digits(n));
    let mut phones = stored.phones.clone();
    let mut seen: HashSet<String> = phones.iter().map(|p| key(&p.number)).collect();
    for p in &card.phones {
        if seen.insert(key(&p.number)) {
            phones.push(p.clone());
        }
    }
    let mut emails = stored.emails.clone();
    let mut seen_emails: HashSet<String> = emails.iter().map(|e| e.address.to_lowercase()).collect();
    for e in &card.emails {
        if seen_emails.insert(e.address.to_lowercase()) {
            emails.push(e.clone());
        }
    }
    let merged = NewContact {
        uid: card.uid.clone().or(stored.uid),
        name: card.name.clone(),
        organization: if card.organization.is_empty() { stored.organization } else { card.organization.clone() },
        notes: if card.notes.is_empty() { stored.notes } else { card.notes.clone() },
        favourite: stored.favourite || card.favourite,
        preferred_provider: card.preferred_provider.clone().or(stored.preferred_provider),
        phones,
        emails,
    };
    let numbers = e164s(&merged.phones, region);
    replace(tx, id, &merged, &numbers)
}
