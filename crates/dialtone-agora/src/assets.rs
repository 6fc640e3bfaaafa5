//! The page's script and style: the UI's built `call` bundle, wherever it is kept (in
//! the app's binary, or `ui/dist` on disk for tests).

use std::path::PathBuf;

/// A file the page loads.
#[derive(Debug, Clone)]
pub struct Asset {
    pub bytes: Vec<u8>,
    pub mime: &'static str,
}

/// Where the page's files come from. `path` is relative to the UI's build root, e.g.
/// `call/call.js`; only `call/` is ever asked for.
pub trait Assets: Send + Sync + 'static {
    fn get(&self, path: &str) -> Option<Asset>;
}

/// Files read from a built UI folder (`ui/dist`).
#[derive(Debug, Clone)]
pub struct DirAssets(pub PathBuf);

impl Assets for DirAssets {
    fn get(&self, path: &str) -> Option<Asset> {
        let bytes = std::fs::read(self.0.join(path)).ok()?;
        Some(Asset { bytes, mime: mime_of(path)? })
    }
}

/// The types the call bundle is made of; anything else is not served.
pub fn mime_of(path: &str) -> Option<&'static str> {
    Some(match path.rsplit_once('.')?.1 {
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "woff2" => "font/woff2",
        "png" => "image/png",
        _ => return None,
    })
}
