//! The address book: listing, searching, editing, importing and exporting vCards.

use std::path::Path;

use super::Dialtone;
use crate::contacts::{Contact, Contacts, ImportReport, NewContact};
use crate::{Error, Result};

impl Dialtone {
    /// Changes to contacts: numbers written without `+` are read in the default region.
    fn contacts_do<T>(&self, work: impl FnOnce(&Contacts<'_>) -> Result<T>) -> Result<T> {
        let region = self.settings()?.region;
        self.with_db(|conn| work(&Contacts::new(conn, region)))
    }

    /// Reading contacts needs no region, so search as you type does not read the
    /// settings file on every keystroke.
    pub(super) fn contacts_read<T>(&self, work: impl FnOnce(&Contacts<'_>) -> Result<T>) -> Result<T> {
        self.with_db(|conn| work(&Contacts::new(conn, None)))
    }

    pub fn contacts(&self) -> Result<Vec<Contact>> {
        self.contacts_read(|c| c.list())
    }

    /// What the contacts screen shows before anything is typed, and how many there are.
    pub fn first_contacts(&self, limit: u32) -> Result<(Vec<Contact>, u64)> {
        self.contacts_read(|c| Ok((c.first(limit)?, c.count()?)))
    }

    pub fn search_contacts(&self, query: &str, limit: u32) -> Result<Vec<Contact>> {
        self.contacts_read(|c| c.search(query, limit))
    }

    pub fn contact(&self, id: i64) -> Result<Contact> {
        self.contacts_read(|c| c.get(id))
    }

    pub fn add_contact(&self, contact: &NewContact) -> Result<Contact> {
        self.contacts_do(|c| c.add(contact))
    }

    pub fn update_contact(&self, id: i64, contact: &NewContact) -> Result<Contact> {
        self.contacts_do(|c| c.update(id, contact))
    }

    pub fn delete_contact(&self, id: i64) -> Result<()> {
        self.contacts_do(|c| c.delete(id))
    }

    /// Imports a vCard file; `progress(done, total)` is called as cards are stored.
    ///
    /// The file is read and parsed before the database is taken, so a large file does
    /// not hold up searches and calls while it is read.
    pub fn import_contacts(&self, file: &Path, progress: impl FnMut(usize, usize)) -> Result<ImportReport> {
        let bytes = read_vcard_file(file)?;
        let parsed = crate::contacts::vcard::parse(&bytes);
        drop(bytes);
        let report = self.contacts_do(|c| c.import_parsed(parsed, progress))?;
        tracing::info!(
            added = report.added,
            merged = report.merged,
            skipped = report.skipped.len(),
            dropped = report.dropped.len(),
            "contacts imported"
        );
        Ok(report)
    }

    /// Writes every contact as vCard 4.0 (atomically: a temporary file renamed over).
    pub fn export_contacts(&self, file: &Path) -> Result<usize> {
        let (text, count) = self.contacts_read(|c| Ok((c.export()?, c.count()? as usize)))?;
        let dir = file.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|err| Error::io("write a file in", dir, &err))?;
        std::io::Write::write_all(&mut tmp, text.as_bytes()).map_err(|err| Error::io("write", file, &err))?;
        tmp.persist(file).map_err(|err| Error::io("write", file, &err.error))?;
        Ok(count)
    }
}

/// A vCard file's bytes, refused with a plain message when it is too large to be an
/// address book (read no further than the limit, so `/dev/zero` is refused too).
fn read_vcard_file(file: &Path) -> Result<Vec<u8>> {
    use std::io::Read;
    let limit = crate::contacts::vcard::MAX_FILE_BYTES;
    let too_large = || {
        Error::invalid_input(format!(
            "{} is larger than {} MB, which is more than an address book holds; nothing was imported.",
            file.display(),
            limit / (1024 * 1024)
        ))
    };
    let opened = std::fs::File::open(file).map_err(|err| Error::io("read the vCard file", file, &err))?;
    let size = opened.metadata().map(|m| m.len()).unwrap_or(0);
    if size > limit {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(size as usize);
    opened.take(limit + 1).read_to_end(&mut bytes).map_err(|err| Error::io("read the vCard file", file, &err))?;
    if bytes.len() as u64 > limit {
        return Err(too_large());
    }
    Ok(bytes)
}
