// The app's screens and how a person moves between them.

export type Screen = "dialpad" | "contacts" | "history" | "settings";

export interface ScreenInfo {
  id: Screen;
  label: string;
  /** Ctrl (⌘ on macOS) + this key opens the screen. */
  shortcut: string;
}

export const SCREENS: readonly ScreenInfo[] = [
  { id: "dialpad", label: "Dialpad", shortcut: "1" },
  { id: "contacts", label: "Contacts", shortcut: "2" },
  { id: "history", label: "History", shortcut: "3" },
  { id: "settings", label: "Settings", shortcut: "," },
];

export function isScreen(value: string): value is Screen {
  return SCREENS.some((s) => s.id === value);
}

/** The screen a keyboard shortcut opens, or null when the keys are not a shortcut. */
export function screenForShortcut(event: Pick<KeyboardEvent, "key" | "ctrlKey" | "metaKey" | "altKey">): Screen | null {
  if (!(event.ctrlKey || event.metaKey) || event.altKey) return null;
  return SCREENS.find((s) => s.shortcut === event.key)?.id ?? null;
}

/** The screen after (or before) `current` in the sidebar, wrapping around: arrow keys in the nav. */
export function neighbour(current: Screen, step: 1 | -1): Screen {
  const i = SCREENS.findIndex((s) => s.id === current);
  return SCREENS[(i + step + SCREENS.length) % SCREENS.length].id;
}

/** The screen named in the URL's hash (`#contacts`), so a reload keeps the place. */
export function screenFromHash(hash: string): Screen {
  const name = hash.replace(/^#\/?/, "");
  return isScreen(name) ? name : "dialpad";
}
