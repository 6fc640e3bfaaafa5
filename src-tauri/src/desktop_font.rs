//! The desktop's own font, named for the main window's page before its first frame.
//!
//! The page's text is in the desktop's font. CSS's `system-ui` says that, and WebKitGTK
//! resolves it to GTK's `gtk-font-name` less its size ("Cantarell 11" → "Cantarell"),
//! but by a slower path than a family named outright: in a bare WebKitGTK 2.50 view
//! loading Dialtone's page, its first frame came about 20 ms later with `system-ui`
//! than with the same family by name (the README's Performance section). So
//! on Linux the app reads that setting itself, the same way, and hands the family to
//! the page in a script that runs before the page's own; the stylesheet names it
//! through `--desktop-font` and keeps `system-ui` for when it is missing (other
//! platforms, a script that did not run).

/// The family in a GTK font name: everything before the last space, which is where
/// GTK's setting puts the size, as WebKitGTK's own `system-ui` reads it. `None` for a
/// name with no family.
pub fn family_of(gtk_font_name: &str) -> Option<&str> {
    let name = gtk_font_name.trim();
    let family = name.rsplit_once(' ').map_or(name, |(family, _size)| family).trim();
    (!family.is_empty()).then_some(family)
}

/// The script that gives the page the family: one assignment, its value a JSON string,
/// so no font name can end the string or run as code.
pub fn init_script(family: &str) -> String {
    let quoted = serde_json::to_string(family).unwrap_or_else(|_| "null".into());
    format!("window.__DIALTONE_DESKTOP_FONT__ = {quoted};")
}

/// The desktop's font family as GTK has it, where GTK is up.
#[cfg(target_os = "linux")]
fn desktop_family() -> Option<String> {
    use gtk::prelude::GtkSettingsExt;
    // Tauri starts GTK itself a moment later; a second init is a no-op. Without a
    // display there is no GTK, and Tauri reports that itself.
    gtk::init().ok()?;
    let name = gtk::Settings::default()?.gtk_font_name()?;
    family_of(&name).map(str::to_owned)
}

/// A plugin whose only part is that script, for every web view: Tauri runs plugins'
/// scripts at document start. Only the main window's page reads it (`ui/src/main.ts`).
/// Off Linux, or with no font from GTK, it has no script and the stylesheet's
/// `system-ui` stands.
pub fn plugin<R: tauri::Runtime>() -> tauri::plugin::TauriPlugin<R> {
    let plugin = tauri::plugin::Builder::new("desktop-font");
    #[cfg(target_os = "linux")]
    if let Some(family) = desktop_family() {
        tracing::debug!(%family, "the desktop's font");
        return plugin.js_init_script(init_script(&family)).build();
    }
    plugin.build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_size_is_left_out_as_webkit_does() {
        assert_eq!(family_of("Cantarell 11"), Some("Cantarell"));
        assert_eq!(family_of("Noto Sans 10"), Some("Noto Sans"));
        assert_eq!(family_of("  Sans 10 "), Some("Sans"));
        assert_eq!(family_of("Sans"), Some("Sans"));
        assert_eq!(family_of(""), None);
        assert_eq!(family_of("   "), None);
    }

    #[test]
    fn the_script_holds_the_name_as_a_string_whatever_it_contains() {
        assert_eq!(init_script("Cantarell"), r#"window.__DIALTONE_DESKTOP_FONT__ = "Cantarell";"#);
        assert_eq!(
            init_script(r#"Evil"; alert(1); ""#),
            r#"window.__DIALTONE_DESKTOP_FONT__ = "Evil\"; alert(1); \"";"#
        );
        assert_eq!(init_script("a\\b\nc"), r#"window.__DIALTONE_DESKTOP_FONT__ = "a\\b\nc";"#);
    }
}
