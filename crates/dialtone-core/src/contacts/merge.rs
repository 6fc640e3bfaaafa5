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
//! What a contact was recognised by stays recognised: a card that renames a contact
//! (the same UID under another name) leaves the old name behind as an alias, and a card
//! merged into a contact with another UID leaves its UID, so the next import meets each
//! card where it went the first time. What contacts are now is tried before aliases.
//!
//! The book's keys are read once per import into memory ([`Known`]) and kept exact as
//! cards are stored: one pass over the book, however many cards the file has and
//! however many people share a name.

use std::collections::{BTreeSet, HashMap, HashSet};

use rusqlite::Transaction;

use super::{Contacts, NewContact, digits, e164s, fold, replace, search_digits};
use crate::db::failed;
use crate::numbers::PhoneNumber;
use crate::{Error, Result};

/// One way a contact can be recognised.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Uid(String),
    /// The folded name alone.
    Name(String),
    /// Folded name and a number key.
    Number(String, String),
    /// Folded name and a folded email.
    Email(String, String),
}

/// Keys → the contacts that have them; a card goes to the oldest.
#[derive(Debug, Default)]
struct Index {
    by_key: HashMap<Key, BTreeSet<i64>>,
    /// Each contact → its keys, to take them back when it changes.
    keys_of: HashMap<i64, Vec<Key>>,
}

impl Index {
    fn forget(&mut self, id: i64) {
        for key in self.keys_of.remove(&id).unwrap_or_default() {
            if let Some(ids) = self.by_key.get_mut(&key) {
                ids.remove(&id);
                if ids.is_empty() {
                    self.by_key.remove(&key);
                }
            }
        }
    }

    fn add(&mut self, id: i64, keys: Vec<Key>) {
        for key in &keys {
            self.by_key.entry(key.clone()).or_default().insert(id);
        }
        self.keys_of.entry(id).or_default().extend(keys);
    }

    fn oldest(&self, key: &Key) -> Option<i64> {
        self.by_key.get(key).and_then(|ids| ids.first().copied())
    }

    /// The contact sharing the most of `keys`; of equals, the oldest. A card whose
    /// numbers are spread over two contacts goes to the one it has most in common with,
    /// which is the one it went to (or became) the first time.
    fn closest(&self, keys: &HashSet<Key>) -> Option<i64> {
        let mut shared: HashMap<i64, usize> = HashMap::new();
        for ids in keys.iter().filter_map(|key| self.by_key.get(key)) {
            for id in ids {
                *shared.entry(*id).or_default() += 1;
            }
        }
        shared.into_iter().max_by(|(a, na), (b, nb)| na.cmp(nb).then(b.cmp(a))).map(|(id, _)| id)
    }
}

/// What identifies the contacts of the book, for matching cards against: by what they
/// are now, and by the names and UIDs imports left behind (`contact_aliases`). Kept
/// exact as cards are stored, so each card meets the book as it is at that moment.
#[derive(Debug, Default)]
pub(super) struct Known {
    current: Index,
    aliases: Index,
}

/// A contact's row as matching reads it.
struct Row {
    uid: Option<String>,
    name: String,
    /// search_text: the folded name, organisation and emails (its words with an @).
    text: String,
    /// search_digits: every number key.
    numbers: String,
}

/// The keys an alias of `kind` gives the contact of `row`.
fn alias_keys(row: &Row, kind: &str, value: &str) -> Vec<Key> {
    match kind {
        "uid" => vec![Key::Uid(value.to_owned())],
        _ => row.keys(value, false),
    }
}

/// Remembers that `id` was also known as `value` (a folded name, or a UID).
fn add_alias(tx: &Transaction<'_>, id: i64, kind: &str, value: &str) -> Result<()> {
    tx.prepare_cached("INSERT OR IGNORE INTO contact_aliases (kind, value, contact_id) VALUES (?1, ?2, ?3)")
        .and_then(|mut s| s.execute(rusqlite::params![kind, value, id]))
        .map_err(failed)?;
    Ok(())
}

impl Row {
    /// The row from columns uid, name_key, search_text, search_digits, from `first` on.
    fn read(r: &rusqlite::Row<'_>, first: usize) -> rusqlite::Result<Row> {
        Ok(Row { uid: r.get(first)?, name: r.get(first + 1)?, text: r.get(first + 2)?, numbers: r.get(first + 3)? })
    }

    /// The keys of this contact under `name` (its own, or an old one).
    fn keys(&self, name: &str, with_uid: bool) -> Vec<Key> {
        let mut keys = Vec::new();
        if with_uid {
            keys.extend(self.uid.clone().map(Key::Uid));
        }
        keys.extend(
            self.numbers.split(' ').filter(|n| !n.is_empty()).map(|n| Key::Number(name.to_owned(), n.to_owned())),
        );
        keys.extend(
            self.text.split(' ').filter(|w| w.contains('@')).map(|e| Key::Email(name.to_owned(), e.to_owned())),
        );
        keys.push(Key::Name(name.to_owned()));
        keys
    }
}

impl Known {
    /// The keys of every stored contact and its old names.
    pub(super) fn read(tx: &Transaction<'_>) -> Result<Self> {
        let mut known = Self::default();
        let mut rows = HashMap::new();
        let mut stmt = tx
            .prepare("SELECT id, uid, name_key, search_text, search_digits FROM contacts ORDER BY id")
            .map_err(failed)?;
        let mut query = stmt.query([]).map_err(failed)?;
        while let Some(r) = query.next().map_err(failed)? {
            let (id, row): (i64, Row) = (r.get(0).map_err(failed)?, Row::read(r, 1).map_err(failed)?);
            known.current.add(id, row.keys(&row.name, true));
            rows.insert(id, row);
        }
        let mut stmt = tx.prepare("SELECT contact_id, kind, value FROM contact_aliases").map_err(failed)?;
        let aliases: Vec<(i64, String, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(failed)?
            .collect::<rusqlite::Result<_>>()
            .map_err(failed)?;
        for (id, kind, value) in aliases {
            if let Some(row) = rows.get(&id) {
                known.aliases.add(id, alias_keys(row, &kind, &value));
            }
        }
        Ok(known)
    }

    /// Re-reads one contact's keys after it was stored or changed.
    pub(super) fn refresh(&mut self, tx: &Transaction<'_>, id: i64) -> Result<()> {
        self.current.forget(id);
        self.aliases.forget(id);
        let row = tx
            .prepare_cached("SELECT uid, name_key, search_text, search_digits FROM contacts WHERE id = ?1")
            .and_then(|mut s| s.query_row([id], |r| Row::read(r, 0)))
            .map_err(failed)?;
        self.current.add(id, row.keys(&row.name, true));
        let aliases: Vec<(String, String)> = tx
            .prepare_cached("SELECT kind, value FROM contact_aliases WHERE contact_id = ?1")
            .and_then(|mut s| s.query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
            .map_err(failed)?;
        for (kind, value) in aliases {
            self.aliases.add(id, alias_keys(&row, &kind, &value));
        }
        Ok(())
    }

    /// The stored contact this card is the same person as, if any: by UID (a contact's
    /// own, else one a merged card left), else by what contacts are called now, else by
    /// the names imports renamed them from.
    pub(super) fn same_as(&self, card: &NewContact, e164s: &[Option<String>]) -> Option<i64> {
        let uid = card.uid.as_ref().map(|uid| Key::Uid(uid.clone()));
        if let Some(id) = uid.and_then(|uid| self.current.oldest(&uid).or_else(|| self.aliases.oldest(&uid))) {
            return Some(id);
        }
        let name = fold(card.name.trim());
        let numbers = search_digits(&card.phones, e164s);
        let keys: HashSet<Key> = if card.phones.is_empty() && card.emails.is_empty() {
            HashSet::from([Key::Name(name)])
        } else {
            numbers
                .split(' ')
                .filter(|n| !n.is_empty())
                .map(|n| Key::Number(name.clone(), n.to_owned()))
                .chain(card.emails.iter().map(|e| Key::Email(name.clone(), fold(&e.address))))
                .collect()
        };
        self.current.closest(&keys).or_else(|| self.aliases.closest(&keys))
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
        // The stored UID stays: a card that matched by name and number under another
        // UID must not take the contact's UID away from the card that first had it,
        // or the next import would find that card a different contact.
        uid: stored.uid.or_else(|| card.uid.clone()),
        name: card.name.clone(),
        organization: if card.organization.is_empty() { stored.organization } else { card.organization.clone() },
        notes: if card.notes.is_empty() { stored.notes } else { card.notes.clone() },
        favourite: stored.favourite || card.favourite,
        preferred_provider: card.preferred_provider.clone().or(stored.preferred_provider),
        phones,
        emails,
    };
    // What the contact was, and what the card was, stay recognisable for the next import.
    let (old_name, new_name) = (fold(stored.name.trim()), fold(merged.name.trim()));
    if old_name != new_name {
        add_alias(tx, id, "name", &old_name)?;
    }
    if let Some(uid) = card.uid.as_deref().filter(|uid| merged.uid.as_deref() != Some(*uid)) {
        add_alias(tx, id, "uid", uid)?;
    }
    let numbers = e164s(&merged.phones, region);
    replace(tx, id, &merged, &numbers)
}
