// The desktop's own font family, which the app names before the page's scripts run
// (on Linux: src-tauri/src/desktop_font.rs sets window.__DIALTONE_DESKTOP_FONT__).
// app.css reads it as --desktop-font and falls back to system-ui without it: WebKitGTK
// paints a family named outright about 20 ms sooner than system-ui, which it resolves
// to the same family.

/** `family` as a CSS string, or null when there is no family to name. */
export function desktopFontValue(family: unknown): string | null {
  if (typeof family !== "string" || family.trim() === "") return null;
  // In a CSS string a backslash and a double quote are escaped with a backslash; a line
  // break cannot appear as itself.
  const escaped = family.replace(/["\\]/g, "\\$&").replace(/\r\n|[\r\n\f]/g, "\\a ");
  return `"${escaped}"`;
}

/** Names the desktop's font on `root` for the stylesheets, when the app gave one. */
export function applyDesktopFont(root: HTMLElement, family: unknown): void {
  const value = desktopFontValue(family);
  if (value) root.style.setProperty("--desktop-font", value);
}

/** What the app set before the page ran, if anything. */
export function givenDesktopFont(): unknown {
  return (window as { __DIALTONE_DESKTOP_FONT__?: unknown }).__DIALTONE_DESKTOP_FONT__;
}
