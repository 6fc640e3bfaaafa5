//! Pictures of the window as a person sees it: its pixels read back from the X server.
//!
//! WebKitWebDriver's own screenshot asks the web process to paint the page again into
//! an image of its own. With accelerated compositing off (how Dialtone ships its main
//! window, `src-tauri/src/webview.rs`) that request never comes back. Reading the
//! window from the X server needs nothing from WebKit and shows exactly what is on
//! the screen, so the suite takes its pictures this way whatever WebKit does.

use std::time::Duration;

use x11rb::connection::Connection;
use x11rb::protocol::xproto::{AtomEnum, ConnectionExt, ImageFormat, MapState, Window};
use x11rb::rust_connection::RustConnection;

/// A window's pixels, as 8-bit RGB rows.
#[derive(Debug, PartialEq, Eq)]
pub struct Pixels {
    pub width: u32,
    pub height: u32,
    pub rgb: Vec<u8>,
}

/// The visible top-level window of process `pid` titled `title`, read from the X
/// server named by `DISPLAY`. Errors say what was missing.
pub fn window_of(pid: u32, title: &str) -> Result<Pixels, String> {
    let (conn, screen) = x11rb::connect(None).map_err(|err| format!("cannot reach the X server: {err}"))?;
    let window = find_window(&conn, screen, pid, title)?;
    read_window(&conn, window)
}

/// Whether process `pid` shows a window titled `title` now.
pub fn is_shown(pid: u32, title: &str) -> bool {
    x11rb::connect(None).is_ok_and(|(conn, screen)| find_window(&conn, screen, pid, title).is_ok())
}

/// Asks the window to close, as a window manager's close button does (ICCCM
/// `WM_DELETE_WINDOW`): the app decides what closing means.
pub fn close(pid: u32, title: &str) -> Result<(), String> {
    use x11rb::protocol::xproto::{ClientMessageEvent, EventMask};
    let x = |err: &dyn std::fmt::Display| format!("X request failed: {err}");
    let (conn, screen) = x11rb::connect(None).map_err(|err| format!("cannot reach the X server: {err}"))?;
    let window = find_window(&conn, screen, pid, title)?;
    let atom = |name: &[u8]| -> Result<u32, String> {
        Ok(conn.intern_atom(false, name).map_err(|e| x(&e))?.reply().map_err(|e| x(&e))?.atom)
    };
    let (protocols, delete) = (atom(b"WM_PROTOCOLS")?, atom(b"WM_DELETE_WINDOW")?);
    let event = ClientMessageEvent::new(32, window, protocols, [delete, x11rb::CURRENT_TIME, 0, 0, 0]);
    // Checked, so the server has handled it before this connection closes: sent and
    // flushed only, then the connection dropped, the message was lost on a busy machine.
    conn.send_event(false, window, EventMask::NO_EVENT, event).map_err(|e| x(&e))?.check().map_err(|e| x(&e))?;
    Ok(())
}

fn find_window(conn: &RustConnection, screen: usize, pid: u32, title: &str) -> Result<Window, String> {
    let x = |err: &dyn std::fmt::Display| format!("X request failed: {err}");
    let root = conn.setup().roots[screen].root;
    let atom = |name: &[u8]| -> Result<u32, String> {
        Ok(conn.intern_atom(false, name).map_err(|e| x(&e))?.reply().map_err(|e| x(&e))?.atom)
    };
    let (pid_atom, name_atom, utf8) = (atom(b"_NET_WM_PID")?, atom(b"_NET_WM_NAME")?, atom(b"UTF8_STRING")?);
    let children = conn.query_tree(root).map_err(|e| x(&e))?.reply().map_err(|e| x(&e))?.children;
    let mut seen = Vec::new();
    for window in children {
        let Ok(attributes) = conn.get_window_attributes(window).map_err(|e| x(&e))?.reply() else { continue };
        if attributes.map_state != MapState::VIEWABLE {
            continue;
        }
        let Ok(owner) =
            conn.get_property(false, window, pid_atom, AtomEnum::CARDINAL, 0, 1).map_err(|e| x(&e))?.reply()
        else {
            continue;
        };
        let owner = owner.value32().and_then(|mut values| values.next());
        let Ok(name) = conn.get_property(false, window, name_atom, utf8, 0, 256).map_err(|e| x(&e))?.reply() else {
            continue;
        };
        let name = String::from_utf8_lossy(&name.value).into_owned();
        if owner == Some(pid) && name == title {
            return Ok(window);
        }
        seen.push(format!("{name:?} (pid {owner:?})"));
    }
    Err(format!("no visible window {title:?} of process {pid} on the X server; visible: {seen:?}"))
}

fn read_window(conn: &RustConnection, window: Window) -> Result<Pixels, String> {
    let x = |err: &dyn std::fmt::Display| format!("reading the window's pixels failed: {err}");
    let geometry = conn.get_geometry(window).map_err(|e| x(&e))?.reply().map_err(|e| x(&e))?;
    let (width, height) = (geometry.width, geometry.height);
    let image = conn
        .get_image(ImageFormat::Z_PIXMAP, window, 0, 0, width, height, !0)
        .map_err(|e| x(&e))?
        .reply()
        .map_err(|e| x(&e))?;
    let setup = conn.setup();
    let visual = setup
        .roots
        .iter()
        .flat_map(|screen| &screen.allowed_depths)
        .flat_map(|depth| &depth.visuals)
        .find(|visual| visual.visual_id == image.visual)
        .ok_or_else(|| format!("the window's visual {} is not in the X server's list", image.visual))?;
    let format = setup
        .pixmap_formats
        .iter()
        .find(|format| format.depth == image.depth)
        .ok_or_else(|| format!("no pixmap format for depth {}", image.depth))?;
    if format.bits_per_pixel != 32 || setup.image_byte_order != x11rb::protocol::xproto::ImageOrder::LSB_FIRST {
        return Err(format!(
            "only 32-bit little-endian pixels are read (this server has {} bits, {:?})",
            format.bits_per_pixel, setup.image_byte_order
        ));
    }
    let stride = pad(usize::from(width) * 4, usize::from(format.scanline_pad) / 8);
    let channel = |pixel: u32, mask: u32| -> u8 {
        let value = (pixel & mask) >> mask.trailing_zeros();
        let max = mask >> mask.trailing_zeros();
        (value * 255 / max.max(1)) as u8
    };
    let mut rgb = Vec::with_capacity(usize::from(width) * usize::from(height) * 3);
    for row in image.data.chunks(stride).take(usize::from(height)) {
        for px in row[..usize::from(width) * 4].chunks_exact(4) {
            let pixel = u32::from_le_bytes([px[0], px[1], px[2], px[3]]);
            rgb.extend([
                channel(pixel, visual.red_mask),
                channel(pixel, visual.green_mask),
                channel(pixel, visual.blue_mask),
            ]);
        }
    }
    Ok(Pixels { width: width.into(), height: height.into(), rgb })
}

fn pad(len: usize, to: usize) -> usize {
    len.div_ceil(to.max(1)) * to.max(1)
}

/// Encodes `pixels` as a PNG.
pub fn png(pixels: &Pixels) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, pixels.width, pixels.height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().expect("PNG header");
    writer.write_image_data(&pixels.rgb).expect("PNG pixels");
    writer.finish().expect("PNG end");
    out
}

/// How long to wait between two reads when waiting for the window to stop changing.
pub const SETTLE: Duration = Duration::from_millis(50);
