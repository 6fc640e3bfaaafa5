//! A Sendblue FaceTime call's audio, carried by Agora's Web SDK in a page Dialtone
//! serves to itself.
//!
//! Sendblue answers a start-call with an Agora session (`appId`, `channelName`, a
//! short-lived `token`, `uid`); the FaceTime call's sound is the remote user in that
//! channel. Agora has no open protocol, so the session is joined by its Web SDK in a
//! web view that has WebRTC: Dialtone's own call window where the platform's web view
//! has `RTCPeerConnection` (WKWebView, WebView2), else the person's default browser
//! (Debian's WebKitGTK has none).
//!
//! Both open the same page, served by [`CallPage`] on `127.0.0.1`:
//!
//! - a random port and an unguessable one-time path (`/<64 hex digits>/`); the page is
//!   served once, then that path answers 404 like every other;
//! - the token travels only inside that one response's body (`Cache-Control:
//!   no-store`), never in a URL, a log line or a file;
//! - the page's CSP lets it reach Agora's hosts and nothing else, and it is the call
//!   page's own: the main window's CSP stays closed;
//! - the page reports what happens (joined, the callee's audio, left, failed with a
//!   reason code) by POSTing to its own origin, and learns of a hang-up from the main
//!   window by long-polling; a page that stops polling is taken as closed;
//! - the server stops when the call ends ([`CallPage`] dropped).
//!
//! The page's script is the UI's `call` bundle (`ui/src/call/`), handed to the server
//! through [`Assets`] so that this crate knows nothing of Tauri.

mod assets;
mod events;
mod page;
mod server;

pub use assets::{Asset, Assets, DirAssets, mime_of};
pub use events::{Failure, PageEvent};
pub use page::{CSP, Callee};
pub use server::{CallPage, Timing};
