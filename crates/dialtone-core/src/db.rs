//! The database: contacts and call history in one SQLite file in the data folder.
//!
//! WAL journal (readers never wait for the writer; a crash mid-write rolls back to the
//! last commit), foreign keys on, and migrations numbered by `PRAGMA user_version`, each
//! applied in its own transaction. Every multi-row change (an import, a contact with its
//! numbers) is one transaction, so a kill at any moment leaves the file consistent.

use std::path::Path;

use rusqlite::Connection;

use crate::{Error, Result};

/// The database file's name inside the data folder.
pub const FILE: &str = "dialtone.sqlite3";

/// Schema changes, in order. Never edit one that has shipped: add another.
const MIGRATIONS: &[&str] = &[
    // 1: contacts, their numbers and emails, the search index, call history.
    r#"
    CREATE TABLE contacts (
        id INTEGER PRIMARY KEY,
        uid TEXT UNIQUE,
        name TEXT NOT NULL,
        organization TEXT NOT NULL DEFAULT '',
        notes TEXT NOT NULL DEFAULT '',
        favourite INTEGER NOT NULL DEFAULT 0,
        preferred_provider TEXT,
        name_key TEXT NOT NULL,
        -- What search looks in (also indexed in contacts_search): folded name, organisation
        -- and emails; every number's digits.
        search_text TEXT NOT NULL DEFAULT '',
        search_digits TEXT NOT NULL DEFAULT '',
        updated_at INTEGER NOT NULL
    );
    -- Covering: search scans it in name order and tests the text without reading rows.
    CREATE INDEX contacts_by_name_key ON contacts(name_key, search_text, search_digits);
    CREATE INDEX contacts_favourites ON contacts(name_key) WHERE favourite = 1;
    CREATE TABLE phones (
        id INTEGER PRIMARY KEY,
        contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        label TEXT NOT NULL DEFAULT '',
        number TEXT NOT NULL,
        e164 TEXT,
        preferred INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX phones_by_contact ON phones(contact_id);
    CREATE INDEX phones_by_e164 ON phones(e164);
    CREATE TABLE emails (
        id INTEGER PRIMARY KEY,
        contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        label TEXT NOT NULL DEFAULT '',
        address TEXT NOT NULL
    );
    CREATE INDEX emails_by_contact ON emails(contact_id);
    -- Each word of each folded name, for one- and two-letter searches.
    CREATE TABLE contact_words (
        word TEXT NOT NULL,
        contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
        PRIMARY KEY (word, contact_id)
    ) WITHOUT ROWID;
    CREATE INDEX contact_words_by_contact ON contact_words(contact_id);
    -- rowid = contacts.id. text: folded name, organisation, emails; digits: every number's digits.
    CREATE VIRTUAL TABLE contacts_search USING fts5(text, digits, tokenize = 'trigram');
    CREATE TABLE calls (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        provider TEXT NOT NULL,
        kind TEXT NOT NULL,
        typed TEXT NOT NULL,
        target TEXT NOT NULL,
        contact_id INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
        outcome TEXT NOT NULL,
        call_id TEXT,
        link TEXT,
        link_expires_at INTEGER,
        error_code TEXT,
        error_message TEXT
    );
    CREATE INDEX calls_by_time ON calls(at);
    "#,
    // 2: what a contact was known by before an import changed it: the names it was
    // renamed from and the UIDs of cards merged into it, so that importing the file
    // again still recognises those cards.
    r#"
    CREATE TABLE contact_aliases (
        kind TEXT NOT NULL CHECK (kind IN ('name', 'uid')),
        value TEXT NOT NULL,
        contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
        PRIMARY KEY (kind, value, contact_id)
    ) WITHOUT ROWID;
    CREATE INDEX contact_aliases_by_contact ON contact_aliases(contact_id);
    "#,
    // 3: live calls (SIP): which way the call went and how long it was connected.
    r#"
    ALTER TABLE calls ADD COLUMN direction TEXT NOT NULL DEFAULT 'outgoing' CHECK (direction IN ('outgoing', 'incoming'));
    ALTER TABLE calls ADD COLUMN duration_ms INTEGER;
    "#,
    // 4: an answered live call's sound figures at its end (RTP/RTCP, as JSON), for the
    // quality report in History.
    r#"
    ALTER TABLE calls ADD COLUMN stats TEXT;
    "#,
];

/// The oldest SQLite whose FTS5 has the trigram tokenizer contact search is built on,
/// as SQLite numbers versions (3.34.0). On Linux Dialtone uses the system's libsqlite3
/// (Debian 12 has 3.40, Ubuntu 22.04 3.37).
const OLDEST_SQLITE: i32 = 3_034_000;

/// Refuses an SQLite too old for contact search, in words that say what to update,
/// before anything is created in the data folder.
fn sqlite_new_enough(number: i32, version: &str) -> Result<()> {
    if number >= OLDEST_SQLITE {
        return Ok(());
    }
    Err(Error::new(
        crate::ErrorCode::Io,
        format!(
            "Contacts and history need SQLite {}.{} or newer, and this system has {version}. \
             Update the system's SQLite library (libsqlite3) and start Dialtone again; \
             nothing was changed.",
            OLDEST_SQLITE / 1_000_000,
            OLDEST_SQLITE / 1_000 % 1_000
        ),
    ))
}

/// Opens (creating if needed) the database in `data_dir` and brings its schema up to date.
pub fn open(data_dir: &Path) -> Result<Connection> {
    sqlite_new_enough(rusqlite::version_number(), rusqlite::version())?;
    std::fs::create_dir_all(data_dir).map_err(|err| Error::io("create the data folder", data_dir, &err))?;
    let path = data_dir.join(FILE);
    owner_only(&path)?;
    let mut conn = Connection::open(&path).map_err(|err| sql_error(&path, err))?;
    conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(|err| sql_error(&path, err))?;
    conn.pragma_update(None, "journal_mode", "WAL").map_err(|err| sql_error(&path, err))?;
    conn.pragma_update(None, "synchronous", "NORMAL").map_err(|err| sql_error(&path, err))?;
    conn.pragma_update(None, "foreign_keys", "ON").map_err(|err| sql_error(&path, err))?;
    // Up to 32 MB of page cache (used only as pages are read): a big import stays in
    // memory until it commits, and a 100,000-contact book is searched from memory.
    conn.pragma_update(None, "cache_size", -32_768).map_err(|err| sql_error(&path, err))?;
    migrate(&mut conn).map_err(|err| sql_error(&path, err))?;
    Ok(conn)
}

/// The database holds FaceTime links that admit whoever opens them, so only its owner
/// may read it. SQLite gives its WAL and shared-memory files the database file's
/// mode, so creating the file 0600 (or narrowing one made by an older version) covers
/// them too; their modes are narrowed as well in case they outlived such a version.
#[cfg(unix)]
fn owner_only(path: &Path) -> Result<()> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .mode(0o600)
        .open(path)
        .map_err(|err| Error::io("create the database", path, &err))?;
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let file = std::path::PathBuf::from(format!("{}{suffix}", path.display()));
        match std::fs::metadata(&file) {
            Ok(meta) if meta.permissions().mode() & 0o077 != 0 => {
                std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))
                    .map_err(|err| Error::io("make private", &file, &err))?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// Elsewhere the data folder is already private to the user.
#[cfg(not(unix))]
fn owner_only(_path: &Path) -> Result<()> {
    Ok(())
}

fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let current: usize = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", index + 1)?;
        tx.commit()?;
    }
    Ok(())
}

/// A database failure, in words that say which file.
pub fn sql_error(path: &Path, err: rusqlite::Error) -> Error {
    Error::new(
        crate::ErrorCode::Io,
        format!("The contacts and history database {} could not be used: {err}", path.display()),
    )
}

/// Now, as the Unix milliseconds the tables store.
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or_default()
}

/// A database failure where the path is not at hand.
pub(crate) fn failed(err: rusqlite::Error) -> Error {
    Error::new(crate::ErrorCode::Io, format!("The contacts and history database could not be used: {err}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_in_wal_mode_at_the_latest_schema_and_reopens() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open(dir.path()).unwrap();
        let mode: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
        let version: usize = conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
        assert_eq!(version, MIGRATIONS.len());
        drop(conn);
        open(dir.path()).unwrap();
    }

    #[test]
    fn an_sqlite_without_the_trigram_tokenizer_is_refused_in_words() {
        let err = sqlite_new_enough(3_033_999, "3.33.9").unwrap_err();
        assert_eq!(err.code, crate::ErrorCode::Io);
        assert!(err.message.contains("need SQLite 3.34 or newer, and this system has 3.33.9"), "{}", err.message);
        sqlite_new_enough(OLDEST_SQLITE, "3.34.0").unwrap();
        // The library this build links (the system's, on Linux) is new enough, and has the
        // tokenizer the check stands for.
        sqlite_new_enough(rusqlite::version_number(), rusqlite::version()).unwrap();
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE VIRTUAL TABLE t USING fts5(x, tokenize = 'trigram')").unwrap();
    }

    /// A database left world-readable by an older version is narrowed on open.
    #[cfg(unix)]
    #[test]
    fn an_old_world_readable_database_is_made_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        drop(open(dir.path()).unwrap());
        let file = dir.path().join(FILE);
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        drop(open(dir.path()).unwrap());
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    }
}
