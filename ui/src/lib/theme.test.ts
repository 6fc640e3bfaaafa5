import { describe, expect, it, vi } from "vitest";
import { applyTheme, resolveTheme } from "./theme";

function fakeMedia(matches: boolean) {
  const listeners: Array<() => void> = [];
  const media = {
    matches,
    addEventListener: (_: string, fn: () => void) => listeners.push(fn),
    removeEventListener: (_: string, fn: () => void) => listeners.splice(listeners.indexOf(fn), 1),
  };
  vi.stubGlobal("matchMedia", () => media);
  window.matchMedia = (() => media) as unknown as typeof window.matchMedia;
  return {
    media,
    listeners,
    flip(dark: boolean) {
      media.matches = dark;
      listeners.forEach((fn) => fn());
    },
  };
}

describe("theme", () => {
  it("follows the OS only for the system appearance", () => {
    expect(resolveTheme("system", true)).toBe("dark");
    expect(resolveTheme("system", false)).toBe("light");
    expect(resolveTheme("light", true)).toBe("light");
    expect(resolveTheme("dark", false)).toBe("dark");
  });

  it("switches live when the OS does, and stops when told", () => {
    const os = fakeMedia(false);
    const root = document.createElement("html");
    const stop = applyTheme("system", root);
    expect(root.dataset.theme).toBe("light");
    os.flip(true);
    expect(root.dataset.theme).toBe("dark");
    stop();
    expect(os.listeners).toHaveLength(0);
  });

  it("ignores the OS when the person chose a theme", () => {
    const os = fakeMedia(true);
    const root = document.createElement("html");
    applyTheme("light", root);
    os.flip(true);
    expect(root.dataset.theme).toBe("light");
  });
});
