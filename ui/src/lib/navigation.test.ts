import { describe, expect, it } from "vitest";
import { neighbour, screenForShortcut, screenFromHash, SCREENS } from "./navigation";

const key = (k: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean }> = {}) => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  ...mods,
});

describe("navigation", () => {
  it("has the four screens in sidebar order", () => {
    expect(SCREENS.map((s) => s.id)).toEqual(["dialpad", "contacts", "history", "settings"]);
  });

  it("opens screens with Ctrl or Cmd shortcuts only", () => {
    expect(screenForShortcut(key("2", { ctrlKey: true }))).toBe("contacts");
    expect(screenForShortcut(key(",", { metaKey: true }))).toBe("settings");
    expect(screenForShortcut(key("2"))).toBeNull();
    expect(screenForShortcut(key("2", { ctrlKey: true, altKey: true }))).toBeNull();
    expect(screenForShortcut(key("9", { ctrlKey: true }))).toBeNull();
  });

  it("moves through the sidebar with wrap-around", () => {
    expect(neighbour("dialpad", 1)).toBe("contacts");
    expect(neighbour("settings", 1)).toBe("dialpad");
    expect(neighbour("dialpad", -1)).toBe("settings");
  });

  it("reads the screen from the hash, defaulting to the dialpad", () => {
    expect(screenFromHash("#history")).toBe("history");
    expect(screenFromHash("#/settings")).toBe("settings");
    expect(screenFromHash("")).toBe("dialpad");
    expect(screenFromHash("#nonsense")).toBe("dialpad");
  });
});
