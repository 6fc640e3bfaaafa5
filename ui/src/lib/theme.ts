// Light and dark: follow the OS unless the person chose one in Settings.

import type { Appearance } from "./bindings";

export type Theme = "light" | "dark";

export function resolveTheme(appearance: Appearance, osPrefersDark: boolean): Theme {
  if (appearance === "light" || appearance === "dark") return appearance;
  return osPrefersDark ? "dark" : "light";
}

const DARK_QUERY = "(prefers-color-scheme: dark)";

/**
 * Applies the theme to the document now and whenever the OS switches, while the
 * appearance is "system". Returns a function that stops following the OS.
 */
export function applyTheme(appearance: Appearance, root: HTMLElement = document.documentElement): () => void {
  const media = window.matchMedia(DARK_QUERY);
  const apply = () => {
    root.dataset.theme = resolveTheme(appearance, media.matches);
  };
  apply();
  media.addEventListener("change", apply);
  return () => media.removeEventListener("change", apply);
}
