//! Making the main window's web view lighter: WebKitGTK settings for a single-page app
//! that draws a dialpad and a few lists.
//!
//! WebKitGTK's defaults are a browser's: a memory cache sized for browsing, a page cache
//! for going back, WebGL, WebAudio, media elements, WebSQL and DNS prefetching all ready.
//! The main window uses none of them (sound is played by the Rust audio engine, never by
//! the page), so they are turned off for that window. The Sendblue call page (its own
//! window, [`crate::facetime_audio`]) keeps WebAudio, media streams and WebRTC: Agora's
//! SDK needs them. Media streams and WebRTC are left as they are here too, because the
//! main window asks for `RTCPeerConnection` to decide where a FaceTime call's audio can
//! play, and WebKit ties it to them. Painting without the GPU and running scripts
//! without JavaScriptCore's JIT compilers go for every window of the process, the call
//! page's too, since they are set through the web processes' environment: that page
//! plays sound and shows a few controls, and its sound travels through WebRTC's own
//! code, not through script.
//!
//! Each part can be left out for a measurement, by naming it in [`KEEP_ENV`]
//! (`scripts/measure.sh` does this to report what each one saves).
//! Other platforms' web views are left as they are.

use std::sync::atomic::{AtomicBool, Ordering};

/// Comma-separated parts to leave at WebKit's defaults, for measuring: `cache`
/// (the cache model), `features` (what the page never uses), `pressure` (the network
/// process's memory-pressure limits), `compositing` (drawing without the GPU), `reveal`
/// (showing the window once its page has loaded), `jit` (JavaScriptCore's JIT
/// compilers), or `all`.
pub const KEEP_ENV: &str = "DIALTONE_WEBKIT_KEEP";

/// The parts of the tuning, as [`KEEP_ENV`] names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tuning {
    pub cache: bool,
    pub features: bool,
    pub pressure: bool,
    pub compositing: bool,
    pub reveal: bool,
    pub jit: bool,
}

impl Tuning {
    /// Everything on, less what `keep` (the value of [`KEEP_ENV`]) names.
    pub fn from_keep(keep: Option<&str>) -> Self {
        let keep: Vec<&str> = keep.unwrap_or_default().split(',').map(str::trim).collect();
        let on = |part: &str| !keep.contains(&part) && !keep.contains(&"all");
        Self {
            cache: on("cache"),
            features: on("features"),
            pressure: on("pressure"),
            compositing: on("compositing"),
            reveal: on("reveal"),
            jit: on("jit"),
        }
    }

    pub fn from_env() -> Self {
        Self::from_keep(std::env::var(KEEP_ENV).ok().as_deref())
    }
}

/// The environment variables that keep WebKitGTK from drawing through the GPU, each
/// with the value that says so. The first keeps the web process from setting up OpenGL
/// for compositing; the second keeps the window from preparing DMA-BUF buffers, which
/// only composited frames travel in.
#[cfg(target_os = "linux")]
const NO_GPU_ENV: [(&str, &str); 2] =
    [("WEBKIT_DISABLE_COMPOSITING_MODE", "1"), ("WEBKIT_DISABLE_DMABUF_RENDERER", "1")];

/// The environment variable that keeps JavaScriptCore to its interpreter. The page's
/// script answers clicks and draws short lists; the work behind it (search, calls,
/// audio) is Rust's. Its JIT compilers are the part of a web process that writes
/// machine code at run time; without them the web process holds no executable memory
/// it wrote itself, and scripts/measure.sh measured the tree 8 MB lighter with launch
/// time unchanged (the floor, with almost no script, 3.5 MB).
#[cfg(target_os = "linux")]
const NO_JIT_ENV: (&str, &str) = ("JSC_useJIT", "false");

/// First thing in `main`, while the process has one thread: with compositing off, the
/// web process is told so through its environment too, and so is WebKit in this process;
/// likewise with the JIT off. The setting alone
/// ([`HardwareAccelerationPolicy::Never`](webkit2gtk::HardwareAccelerationPolicy))
/// still lets the web process open an EGL display and map Mesa, which scripts/measure.sh
/// showed as about 6 MB more than with the first variable; the DMA-BUF renderer, unused
/// without compositing, cost this process about 4 MB more. A value the person set is
/// left as it is.
pub fn before_any_thread(tuning: Tuning) {
    #[cfg(target_os = "linux")]
    {
        let mut variables = Vec::new();
        if tuning.compositing {
            variables.extend(NO_GPU_ENV);
        }
        if tuning.jit {
            variables.push(NO_JIT_ENV);
        }
        for (name, value) in variables {
            if std::env::var_os(name).is_none() {
                // SAFETY: called from `main` before anything starts a thread (logging,
                // GTK, tokio and Tauri all come later), so nothing can read the
                // environment while it changes.
                #[allow(unsafe_code)]
                unsafe {
                    std::env::set_var(name, value);
                }
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = tuning;
}

/// Before any web view exists: limits for WebKit's network process, which it reads when
/// it starts. Above the conservative threshold it drops caches; it is never killed for
/// memory (the kill threshold is left unset).
pub fn before_first_window(tuning: Tuning) {
    #[cfg(target_os = "linux")]
    if tuning.pressure {
        // WebKit's wrappers insist on GTK being up; without a display it is not, and
        // Tauri reports that itself a moment later.
        if gtk::init().is_err() {
            return;
        }
        let mut settings = webkit2gtk::MemoryPressureSettings::new();
        settings.set_memory_limit(NETWORK_PROCESS_LIMIT_MB);
        settings.set_conservative_threshold(0.33);
        settings.set_strict_threshold(0.5);
        webkit2gtk::WebsiteDataManager::set_memory_pressure_settings(&mut settings);
    }
    #[cfg(not(target_os = "linux"))]
    let _ = tuning;
}

/// The network process holds Dialtone's few local files and the IPC; 64 MB is twice what
/// it uses idle.
#[cfg(target_os = "linux")]
const NETWORK_PROCESS_LIMIT_MB: u32 = 64;

/// How long the main window waits for its page before it is shown anyway.
const SHOW_ANYWAY: std::time::Duration = std::time::Duration::from_secs(3);

/// Whether the main window has been shown once. The wait for the page asks this, not
/// whether the window is visible now: a person may have closed it to the tray by then,
/// and showing it again would undo that.
static REVEALED: AtomicBool = AtomicBool::new(false);

/// The main window starts hidden (`"visible": false` in tauri.conf.json) and is shown
/// when its page has loaded. Painting without the GPU, WebKitGTK's first draw of a
/// visible window waits up to 500 ms for the web process's first frame, on the thread
/// that also serves the page's files to that web process: a launch whose window was
/// mapped before the page had loaded took 500 ms longer (measured with the empty floor
/// page as much as with Dialtone's). Shown after the load, the first draw finds the
/// frame ready. A page that never loads still gets its window after [`SHOW_ANYWAY`].
pub fn show_when_loaded<R: tauri::Runtime>(app: &tauri::AppHandle<R>, tuning: Tuning) {
    use tauri::Manager;
    let Some(window) = app.get_webview_window(crate::MAIN_WINDOW) else { return };
    if !tuning.reveal {
        if !REVEALED.swap(true, Ordering::SeqCst) {
            let _ = window.show();
        }
        return;
    }
    std::thread::Builder::new()
        .name("dialtone-show-anyway".into())
        .spawn(move || {
            std::thread::sleep(SHOW_ANYWAY);
            if !REVEALED.swap(true, Ordering::SeqCst) {
                tracing::warn!("the page had not loaded after {SHOW_ANYWAY:?}; the window is shown anyway");
                let _ = window.show();
            }
        })
        .map(drop)
        .unwrap_or_else(|err| tracing::warn!("no thread to show the window later: {err}"));
}

/// Shows the main window (an incoming call, the tray's Open, a second launch): from
/// then on neither the page's load nor the wait for it shows it again.
pub fn reveal<R: tauri::Runtime>(window: &tauri::WebviewWindow<R>) {
    REVEALED.store(true, Ordering::SeqCst);
    let _ = window.show();
}

/// Shows the main window, restored and focused: the person asked for it (the tray's
/// Open, a second launch, a call chosen in its notification).
pub fn bring_forward<R: tauri::Runtime>(app: &tauri::AppHandle<R>) {
    use tauri::Manager;
    if let Some(window) = app.get_webview_window(crate::MAIN_WINDOW) {
        let _ = window.unminimize();
        reveal(&window);
        let _ = window.set_focus();
    }
}

/// Keeps the main window hidden after its page loads: started in the background, the
/// tray's Open or an incoming call shows it.
pub fn stay_hidden() {
    REVEALED.store(true, Ordering::SeqCst);
}

/// The page-load hook: the main window appears once its page has loaded.
pub fn on_page_load<R: tauri::Runtime>(webview: &tauri::Webview<R>, payload: &tauri::webview::PageLoadPayload<'_>) {
    if webview.label() == crate::MAIN_WINDOW && payload.event() == tauri::webview::PageLoadEvent::Finished {
        // Once: a later load (the page reloaded) leaves the window as the person left it.
        if !REVEALED.swap(true, Ordering::SeqCst) {
            let _ = webview.window().show();
        }
    }
}

/// Applies the settings to the main window's web view.
pub fn tune_main_window<R: tauri::Runtime>(window: &tauri::WebviewWindow<R>, tuning: Tuning) {
    #[cfg(target_os = "linux")]
    {
        let result = window.with_webview(move |webview| linux::apply(&webview.inner(), tuning));
        if let Err(err) = result {
            tracing::warn!("the web view's settings were left at WebKit's defaults: {err}");
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (window, tuning);
}

#[cfg(target_os = "linux")]
mod linux {
    use webkit2gtk::{CacheModel, HardwareAccelerationPolicy, SettingsExt, WebContextExt, WebViewExt};

    use super::Tuning;

    pub fn apply(webview: &webkit2gtk::WebView, tuning: Tuning) {
        if tuning.cache {
            // A document viewer keeps no memory cache of pages: the app has one page.
            if let Some(context) = webview.context() {
                context.set_cache_model(CacheModel::DocumentViewer);
            }
        }
        let Some(settings) = WebViewExt::settings(webview) else {
            tracing::warn!("the web view has no settings object; left at WebKit's defaults");
            return;
        };
        if tuning.features {
            settings.set_enable_page_cache(false); // back-forward cache: there is no "back"
            settings.set_enable_webgl(false);
            settings.set_enable_webaudio(false);
            settings.set_enable_media(false);
            settings.set_enable_mediasource(false);
            settings.set_enable_encrypted_media(false);
            settings.set_enable_html5_database(false);
            settings.set_enable_offline_web_application_cache(false);
            settings.set_enable_dns_prefetching(false);
            settings.set_enable_back_forward_navigation_gestures(false);
            settings.set_enable_site_specific_quirks(false);
        }
        if tuning.compositing {
            // Accelerated compositing draws the page's layers through OpenGL. A dialpad
            // has no layer worth a GPU, and where there is none (a VM, a remote
            // desktop, this CI machine) Mesa's software renderer is loaded to do it:
            // 37 MB of the web process, measured by scripts/measure.sh. Painting on the
            // CPU is what WebKit does anyway when GL is missing, and what
            // WEBKIT_DISABLE_COMPOSITING_MODE=1 (the usual fix for blank WebKitGTK
            // windows on some GPUs) asks for; `before_any_thread` sets that as well.
            settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
        }
        tracing::debug!(?tuning, "web view settings applied");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everything_is_on_unless_kept_for_a_measurement() {
        let all = Tuning { cache: true, features: true, pressure: true, compositing: true, reveal: true, jit: true };
        assert_eq!(Tuning::from_keep(None), all);
        assert_eq!(Tuning::from_keep(Some("")), all);
        assert_eq!(Tuning::from_keep(Some("cache")), Tuning { cache: false, ..all });
        assert_eq!(
            Tuning::from_keep(Some("features, pressure")),
            Tuning { cache: true, features: false, pressure: false, compositing: true, reveal: true, jit: true }
        );
        assert_eq!(Tuning::from_keep(Some("compositing")), Tuning { compositing: false, ..all });
        assert_eq!(Tuning::from_keep(Some("jit")), Tuning { jit: false, ..all });
        assert_eq!(
            Tuning::from_keep(Some("all")),
            Tuning { cache: false, features: false, pressure: false, compositing: false, reveal: false, jit: false }
        );
    }
}
