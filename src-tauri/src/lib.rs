//! Dialtone's desktop shell: the Tauri window, its commands and events.
//!
//! The shell is thin on purpose. Each command in [`commands`] takes typed input, calls
//! one function of `dialtone-core`, and returns a typed result; errors cross into the
//! web view as `{code, message}`. [`ipc::builder`] lists every command once: it serves
//! the invoke handler and generates the TypeScript bindings in `ui/src/lib/bindings.ts`
//! (a test fails when that file is stale). What the app tells the page as it happens
//! (audio reports, import progress, a call's events, a link from outside) goes through
//! [`page`], as DOM events whose names and details are in the same bindings.

pub mod calls;
pub mod commands;
pub mod desktop_font;
pub mod facetime_audio;
pub mod incoming;
pub mod instance;
pub mod ipc;
pub mod links;
pub mod login;
pub mod page;
pub mod people;
pub mod phone;
pub mod share;
pub mod sound;
pub mod tray;
pub mod updates;
pub mod webview;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Instant;

use clap::Parser;
use dialtone_core::logging::{self, LogConfig};
use dialtone_core::paths::DATA_DIR_ENV;
use dialtone_core::service::Dialtone;
use dialtone_core::{Paths, VERSION};
use tauri::Manager;

/// Command line of the desktop app.
#[derive(Debug, Parser)]
#[command(name = "dialtone-app", version, about = "Dialtone, the desktop softphone")]
struct Args {
    /// Keep settings, contacts, history and logs in DIR instead of the OS's own folders.
    #[arg(long, value_name = "DIR", env = DATA_DIR_ENV)]
    data_dir: Option<PathBuf>,

    /// Start in the tray without the window (how start at login opens Dialtone).
    /// Where there is no tray icon, the window shows anyway.
    #[arg(long)]
    background: bool,

    /// A tel:, callto:, sip:, facetime: or facetime-audio: link to put on the dialpad.
    #[arg(value_name = "LINK")]
    link: Option<String>,
}

/// The label of the main window (as in tauri.conf.json).
pub const MAIN_WINDOW: &str = "main";

/// What every command can reach.
#[derive(Debug)]
pub struct AppState {
    pub paths: Paths,
    /// When the process began, for the launch-to-first-frame figure.
    pub started: Instant,
    /// Providers, calls and secrets (the OS keychain).
    pub dialtone: Dialtone,
    /// Calls being placed, by the UI's attempt number, so the person can stop waiting.
    pub attempts: Mutex<HashMap<u32, dialtone_core::CancellationToken>>,
    /// A link from outside, waiting for the page to put it on the dialpad.
    pub pending_link: links::PendingLink,
    /// Sendblue calls' Agora sessions, waiting to be joined or being carried.
    pub audio_calls: facetime_audio::AudioCalls,
}

/// Starts the app: parses arguments, sets up logging, opens the window.
pub fn run() {
    let started = Instant::now();
    let tuning = webview::Tuning::from_env();
    webview::before_any_thread(tuning);
    // Before the updater or any provider makes a TLS client.
    dialtone_core::use_ring_for_tls();
    let args = Args::parse();
    let paths = match Paths::resolve(args.data_dir.as_deref()) {
        Ok(paths) => paths,
        Err(err) => {
            eprintln!("dialtone-app: {err}");
            std::process::exit(1);
        }
    };
    let log_guard =
        logging::init(LogConfig { log_dir: &paths.log_dir, file_prefix: "dialtone-app", terminal_default: "info" });
    tracing::info!(version = VERSION, data_dir = %paths.data_dir.display(), "starting Dialtone");

    let dialtone = match Dialtone::new(paths.clone()) {
        Ok(dialtone) => dialtone,
        Err(err) => {
            tracing::error!("could not start: {err}");
            eprintln!("dialtone-app: {err}");
            std::process::exit(1);
        }
    };
    webview::before_first_window(tuning);
    let ipc = ipc::builder();
    let pending = links::PendingLink(Mutex::new(args.link.as_deref().and_then(|l| links::link_in(&[l]))));
    let result = tauri::Builder::default()
        // First: a second launch (a tel: link clicked elsewhere) goes to this window.
        .plugin(tauri_plugin_single_instance::init(|app, args, _cwd| links::forwarded(app, args)))
        // The desktop's font family, for the page's first frame (desktop_font.rs).
        .plugin(desktop_font::plugin())
        // Used from Rust only (share.rs); the web view is granted none of their commands.
        .plugin(tauri_plugin_clipboard_manager::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_dialog::init())
        // Checks and installs signed updates, from our commands only (updates.rs): the
        // web view is granted none of the plugin's own commands.
        .plugin(tauri_plugin_updater::Builder::new().build())
        // Start at login, from our commands only (login.rs).
        .plugin(login::plugin())
        .invoke_handler(ipc.invoke_handler())
        .on_page_load(webview::on_page_load)
        .on_window_event(|window, event| {
            // With an account registered, closing the window leaves Dialtone in the
            // tray, where calls still ring; Quit is in the tray's menu.
            if let tauri::WindowEvent::CloseRequested { api, .. } = event
                && window.label() == MAIN_WINDOW
                && tray::keeps_running(window.app_handle())
            {
                api.prevent_close();
                let _ = window.hide();
                tracing::info!("the window closed; Dialtone stays in the tray");
            }
        })
        .setup(move |app| {
            if let Some(window) = app.get_webview_window(MAIN_WINDOW) {
                webview::tune_main_window(&window, tuning);
            }
            // Sound starts with the devices the person chose; a broken settings file
            // means the defaults here (the settings screen reports the file itself).
            let chosen = app.state::<AppState>().dialtone.settings().map(|s| s.audio).unwrap_or_default();
            let sound = sound::start(app.handle(), &chosen);
            app.manage(sound);
            // After the sound: an incoming call rings through it.
            let desk = phone::start(app.handle(), app.state::<AppState>().dialtone.clone());
            let lines = desk.0.lines();
            app.manage(desk);
            let do_not_disturb = app.state::<AppState>().dialtone.settings().is_ok_and(|s| s.do_not_disturb);
            if let Some(tray) = tray::start(app.handle(), do_not_disturb) {
                app.manage(tray);
                tray::show_lines(app.handle(), &lines);
                if args.background {
                    webview::stay_hidden();
                    tracing::info!("started in the background: Dialtone is in the tray");
                }
            }
            webview::show_when_loaded(app.handle(), tuning);
            Ok(())
        })
        .manage(AppState {
            paths,
            started,
            dialtone,
            attempts: Mutex::default(),
            pending_link: pending,
            audio_calls: Default::default(),
        })
        .manage(updates::Updates::default())
        .build(tauri::generate_context!())
        .map(|app| {
            app.run(|app, event| {
                // Quitting hangs up every live call and unregisters each line, so the
                // registrar stops sending calls to a phone that is gone.
                if let tauri::RunEvent::Exit = event
                    && let Some(desk) = app.try_state::<phone::Desk>()
                {
                    let phone = desk.0.clone();
                    tauri::async_runtime::block_on(phone.shut_down());
                }
            })
        });
    if let Err(err) = result {
        let why = if instance::handover_failed(&err) {
            tracing::info!("the running Dialtone left without taking this launch; starting afresh");
            drop(log_guard); // exec keeps no buffers: write the log out first
            instance::start_afresh()
        } else {
            err.to_string()
        };
        tracing::error!("the window could not be opened: {why}");
        eprintln!("dialtone-app: the window could not be opened: {why}");
        std::process::exit(1);
    }
}
