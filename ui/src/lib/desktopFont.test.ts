import { describe, expect, it } from "vitest";
import { applyDesktopFont, desktopFontValue } from "./desktopFont";

describe("the desktop's font", () => {
  it("is named as a CSS string", () => {
    expect(desktopFontValue("Cantarell")).toBe('"Cantarell"');
    expect(desktopFontValue("Noto Sans")).toBe('"Noto Sans"');
    expect(desktopFontValue('Odd "Quoted" \\ Name')).toBe('"Odd \\"Quoted\\" \\\\ Name"');
    expect(desktopFontValue("Two\nLines")).toBe('"Two\\a Lines"');
  });

  it("is not named when the app gave none", () => {
    for (const nothing of [undefined, null, "", "   ", 11, {}]) {
      expect(desktopFontValue(nothing)).toBeNull();
    }
  });

  it("reaches the stylesheets through --desktop-font, quotes and all", () => {
    const root = document.createElement("div");
    applyDesktopFont(root, 'Odd "Quoted" Name');
    expect(root.style.getPropertyValue("--desktop-font")).toBe('"Odd \\"Quoted\\" Name"');

    const untouched = document.createElement("div");
    applyDesktopFont(untouched, undefined);
    expect(untouched.style.getPropertyValue("--desktop-font")).toBe("");
  });
});
