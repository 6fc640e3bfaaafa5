//! The commands for contacts and call history. Each forwards to
//! `dialtone_core::service::Dialtone`.

use dialtone_core::Error;
use dialtone_core::contacts::{Contact, ImportReport, NewContact};
use dialtone_core::history::CallRecord;
use dialtone_core::providers::Placed;
use serde::Serialize;
use tauri::{AppHandle, State};

use crate::AppState;
use crate::page::{self, ImportProgress};

/// The first contacts (favourites, then by name) and how many there are in all.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct ContactPage {
    pub contacts: Vec<Contact>,
    pub total: u32,
}

/// Runs database work on a blocking thread, never on the window's main thread: a slow
/// import holding the database must not freeze the window.
pub(crate) async fn off_main<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce(&dialtone_core::service::Dialtone) -> Result<T, Error> + Send + 'static,
) -> Result<T, Error> {
    let dialtone = state.dialtone.clone();
    tauri::async_runtime::spawn_blocking(move || work(&dialtone))
        .await
        .map_err(|err| Error::internal(format!("The work stopped unexpectedly: {err}")))?
}

#[tauri::command]
#[specta::specta]
pub async fn list_contacts(state: State<'_, AppState>, limit: u32) -> Result<ContactPage, Error> {
    let (contacts, total) = off_main(&state, move |d| d.first_contacts(limit.min(1000))).await?;
    Ok(ContactPage { contacts, total: total as u32 })
}

/// Search as you type: name, organisation, email or number; best first.
#[tauri::command]
#[specta::specta]
pub async fn search_contacts(state: State<'_, AppState>, query: String, limit: u32) -> Result<Vec<Contact>, Error> {
    off_main(&state, move |d| d.search_contacts(&query, limit.min(500))).await
}

#[tauri::command]
#[specta::specta]
pub fn add_contact(state: State<'_, AppState>, contact: NewContact) -> Result<Contact, Error> {
    state.dialtone.add_contact(&contact)
}

#[tauri::command]
#[specta::specta]
pub fn update_contact(state: State<'_, AppState>, id: i64, contact: NewContact) -> Result<Contact, Error> {
    state.dialtone.update_contact(id, &contact)
}

#[tauri::command]
#[specta::specta]
pub fn delete_contact(state: State<'_, AppState>, id: i64) -> Result<(), Error> {
    state.dialtone.delete_contact(id)
}

/// Asks for a vCard file (the dialog is Rust's: the web view never names a path) and
/// imports it off the UI thread, sending [`crate::page::IMPORT_PROGRESS_EVENT`]s; `None` when the
/// person cancelled.
#[tauri::command]
#[specta::specta]
pub async fn import_contacts(app: AppHandle, state: State<'_, AppState>) -> Result<Option<ImportReport>, Error> {
    let Some(path) = crate::share::pick_file(&app, "vCard", &["vcf", "vcard"], None, false)? else {
        return Ok(None);
    };
    let progress_app = app.clone();
    off_main(&state, move |dialtone| {
        dialtone.import_contacts(&path, |done, total| {
            let progress = ImportProgress { done: done as u32, total: total as u32 };
            page::dispatch(&progress_app, page::IMPORT_PROGRESS_EVENT, Some(&progress));
        })
    })
    .await
    .map(Some)
}

/// Writes every contact to a vCard 4.0 file the person chooses in a save dialog;
/// returns how many, or `None` when the person cancelled.
#[tauri::command]
#[specta::specta]
pub async fn export_contacts(app: AppHandle, state: State<'_, AppState>) -> Result<Option<u32>, Error> {
    let Some(path) = crate::share::pick_file(&app, "vCard", &["vcf"], Some("contacts.vcf"), true)? else {
        return Ok(None);
    };
    off_main(&state, move |d| d.export_contacts(&path)).await.map(|n| Some(n as u32))
}

#[tauri::command]
#[specta::specta]
pub async fn list_history(state: State<'_, AppState>, limit: u32) -> Result<Vec<CallRecord>, Error> {
    off_main(&state, move |d| d.history(limit)).await
}

#[tauri::command]
#[specta::specta]
pub fn delete_history_entry(state: State<'_, AppState>, id: i64) -> Result<(), Error> {
    state.dialtone.delete_history_entry(id)
}

/// Empties the history; returns how many entries went.
#[tauri::command]
#[specta::specta]
pub fn clear_history(state: State<'_, AppState>) -> Result<u32, Error> {
    state.dialtone.clear_history().map(|n| n as u32)
}

/// Calls again what a history entry called, through the same provider.
#[tauri::command]
#[specta::specta]
pub async fn redial(app: AppHandle, state: State<'_, AppState>, attempt: u32, id: i64) -> Result<Placed, Error> {
    let dialtone = state.dialtone.clone();
    crate::calls::run_attempt(&app, &state, attempt, move |control| async move { dialtone.redial(id, control).await })
        .await
}
