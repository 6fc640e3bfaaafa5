//! The loopback server that hands one call's session to one page.

use std::convert::Infallible;
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use dialtone_core::providers::AgoraSession;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use tokio_util::sync::{CancellationToken, DropGuard};

use crate::assets::{Assets, mime_of};
use crate::events::PageEvent;
use crate::page::{self, CSP, Callee};

/// How long the server waits for the page, and for each sign of life from it.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    /// The browser has this long to load the page before the call is given up.
    pub open_within: Duration,
    /// A page that has neither a poll pending nor sent one for this long is closed.
    pub silent_for: Duration,
    /// How long one long-poll waits for a hang-up before answering "nothing yet".
    pub poll_for: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Self {
            open_within: Duration::from_secs(60),
            silent_for: Duration::from_secs(15),
            poll_for: Duration::from_secs(20),
        }
    }
}

/// One call's page, served on `127.0.0.1` until this is dropped.
pub struct CallPage {
    url: String,
    events: mpsc::UnboundedReceiver<PageEvent>,
    shared: Arc<Shared>,
    _stop: DropGuard,
}

struct Shared {
    /// `/<secret>/`: every route lives under it.
    base: String,
    /// `127.0.0.1:<port>`: the only Host accepted (a DNS-rebinding page names another).
    host: String,
    /// `http://127.0.0.1:<port>`: the only Origin that may post events.
    origin: String,
    /// The page's HTML, taken by the one request that gets it.
    page: Mutex<Option<String>>,
    opened: AtomicBool,
    assets: Arc<dyn Assets>,
    events: mpsc::UnboundedSender<PageEvent>,
    hang_up: watch::Sender<bool>,
    polls_pending: AtomicUsize,
    last_seen: Mutex<Instant>,
    timing: Timing,
}

impl fmt::Debug for CallPage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The URL is the page's one credential while it is unserved: never printed.
        f.debug_struct("CallPage").field("host", &self.shared.host).finish_non_exhaustive()
    }
}

impl CallPage {
    /// Starts serving the page for `session` on a random loopback port.
    pub async fn serve(
        session: &AgoraSession,
        callee: &Callee,
        assets: Arc<dyn Assets>,
        timing: Timing,
    ) -> std::io::Result<CallPage> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let port = listener.local_addr()?.port();
        let secret = one_time_path()?;
        let (events_tx, events) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            base: format!("/{secret}/"),
            host: format!("127.0.0.1:{port}"),
            origin: format!("http://127.0.0.1:{port}"),
            page: Mutex::new(Some(page::html(session, callee))),
            opened: AtomicBool::new(false),
            assets,
            events: events_tx,
            hang_up: watch::channel(false).0,
            polls_pending: AtomicUsize::new(0),
            last_seen: Mutex::new(Instant::now()),
            timing,
        });
        let stop = CancellationToken::new();
        tokio::spawn(accept(listener, shared.clone(), stop.clone()));
        tokio::spawn(watch_for_silence(shared.clone(), stop.clone()));
        tracing::info!("serving a call page on 127.0.0.1:{port}");
        Ok(CallPage { url: format!("http://127.0.0.1:{port}/{secret}/"), events, shared, _stop: stop.drop_guard() })
    }

    /// The page's address, for the call window or the browser. It holds the one-time
    /// path, not the token; still, do not log it.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The next thing the page reported; after [`PageEvent::Gone`], nothing more.
    pub async fn next_event(&mut self) -> Option<PageEvent> {
        self.events.recv().await
    }

    /// Tells the page to leave the channel (the person hung up in the main window). The
    /// page answers with [`PageEvent::Left`].
    pub fn hang_up(&self) {
        self.shared.hang_up.send_replace(true);
    }
}

/// 32 random bytes from the OS, as hex.
fn one_time_path() -> std::io::Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

async fn accept(listener: TcpListener, shared: Arc<Shared>, stop: CancellationToken) {
    loop {
        let stream = tokio::select! {
            () = stop.cancelled() => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(err) => {
                    tracing::warn!("call page: accepting a connection failed: {err}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let shared = shared.clone();
        let stop = stop.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request| {
                let shared = shared.clone();
                async move { Ok::<_, Infallible>(route(&shared, request).await) }
            });
            let connection = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                () = stop.cancelled() => {}
                _ = connection => {}
            }
        });
    }
}

/// Says [`PageEvent::Gone`] once the page never opened, or stopped polling.
async fn watch_for_silence(shared: Arc<Shared>, stop: CancellationToken) {
    let started = Instant::now();
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    loop {
        tokio::select! {
            () = stop.cancelled() => return,
            _ = tick.tick() => {}
        }
        let gone = if shared.opened.load(Ordering::SeqCst) {
            shared.polls_pending.load(Ordering::SeqCst) == 0
                && lock(&shared.last_seen).elapsed() > shared.timing.silent_for
        } else {
            started.elapsed() > shared.timing.open_within
        };
        if gone {
            tracing::info!("the call page stopped answering");
            let _ = shared.events.send(PageEvent::Gone);
            return;
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

async fn route(shared: &Shared, request: Request<Incoming>) -> Response<Full<Bytes>> {
    if request.headers().get(header::HOST).and_then(|h| h.to_str().ok()) != Some(shared.host.as_str()) {
        return plain(StatusCode::MISDIRECTED_REQUEST, "This page is served only as 127.0.0.1.");
    }
    let Some(rest) = request.uri().path().strip_prefix(&shared.base) else { return not_found() };
    let rest = rest.to_owned();
    match (request.method(), rest.as_str()) {
        (&Method::GET, "") => match lock(&shared.page).take() {
            Some(html) => {
                shared.opened.store(true, Ordering::SeqCst);
                *lock(&shared.last_seen) = Instant::now();
                let _ = shared.events.send(PageEvent::Opened);
                respond(StatusCode::OK, "text/html; charset=utf-8", html.into())
            }
            // Served once: a reload, a second tab or a copied address gets nothing.
            None => not_found(),
        },
        (&Method::GET, "next") if shared.opened.load(Ordering::SeqCst) => poll(shared).await,
        (&Method::POST, "events") if shared.opened.load(Ordering::SeqCst) => event(shared, request).await,
        (&Method::GET, file) if shared.opened.load(Ordering::SeqCst) => asset(shared, file),
        _ => not_found(),
    }
}

/// Answers when the main window hangs up, or after `poll_for` with nothing to do.
async fn poll(shared: &Shared) -> Response<Full<Bytes>> {
    struct Pending<'a>(&'a Shared);
    impl Drop for Pending<'_> {
        fn drop(&mut self) {
            *lock(&self.0.last_seen) = Instant::now();
            self.0.polls_pending.fetch_sub(1, Ordering::SeqCst);
        }
    }
    shared.polls_pending.fetch_add(1, Ordering::SeqCst);
    let _pending = Pending(shared);
    let mut hang_up = shared.hang_up.subscribe();
    let asked = tokio::time::timeout(shared.timing.poll_for, hang_up.wait_for(|h| *h)).await.is_ok();
    let body = serde_json::json!({ "hangUp": asked }).to_string();
    respond(StatusCode::OK, "application/json", body.into())
}

async fn event(shared: &Shared, request: Request<Incoming>) -> Response<Full<Bytes>> {
    // Only the page itself posts: a browser always sends Origin on a POST (fetch and
    // sendBeacon alike), and another site's would name itself.
    if request.headers().get(header::ORIGIN).and_then(|h| h.to_str().ok()) != Some(shared.origin.as_str()) {
        return plain(StatusCode::FORBIDDEN, "Events come only from the call page.");
    }
    let body = match Limited::new(request.into_body(), 1024).collect().await {
        Ok(body) => body.to_bytes(),
        Err(_) => return plain(StatusCode::PAYLOAD_TOO_LARGE, "An event is a few bytes."),
    };
    let event = match serde_json::from_slice::<PageEvent>(&body) {
        Ok(PageEvent::Opened | PageEvent::Gone) | Err(_) => {
            return plain(StatusCode::BAD_REQUEST, "Not an event the call page sends.");
        }
        Ok(event) => event,
    };
    *lock(&shared.last_seen) = Instant::now();
    tracing::debug!("call page: {event:?}");
    let _ = shared.events.send(event);
    respond(StatusCode::NO_CONTENT, "text/plain", Bytes::new())
}

fn asset(shared: &Shared, file: &str) -> Response<Full<Bytes>> {
    let safe = file.strip_prefix("call/").is_some_and(|name| {
        !name.is_empty() && name.split('/').all(|part| !part.is_empty() && part != "." && part != "..")
    });
    match (safe, mime_of(file)) {
        (true, Some(_)) => match shared.assets.get(file) {
            Some(asset) => respond(StatusCode::OK, asset.mime, asset.bytes.into()),
            None => not_found(),
        },
        _ => not_found(),
    }
}

fn not_found() -> Response<Full<Bytes>> {
    plain(StatusCode::NOT_FOUND, "Not found.")
}

fn plain(status: StatusCode, text: &'static str) -> Response<Full<Bytes>> {
    respond(status, "text/plain; charset=utf-8", Bytes::from_static(text.as_bytes()))
}

fn respond(status: StatusCode, mime: &'static str, body: Bytes) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    // The page holds the token: no cache, history snapshot or referrer keeps a copy.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    headers.insert("cross-origin-resource-policy", HeaderValue::from_static("same-origin"));
    response
}
