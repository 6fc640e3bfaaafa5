import { describe, expect, it } from "vitest";

// Every stylesheet the app and the call page ship, as text.
const sheets = import.meta.glob<string>(["./**/*.css", "./**/*.svelte"], {
  query: "?raw",
  import: "default",
  eager: true,
});

// The font stacks allowed: the desktop's own font (named by the app where it knows it,
// ui/src/lib/desktopFont.ts), and its own monospace. WebKitGTK asks fontconfig for every
// family a stack names before the first frame; each name the desktop lacks ("Segoe UI",
// Roboto, ...) cost the window about 20 ms to appear (the README's Performance
// section). Every web view Dialtone runs in knows these keywords.
const ALLOWED = new Set([
  "var(--desktop-font, system-ui), sans-serif",
  "system-ui, sans-serif",
  "ui-monospace, monospace",
]);

function fontStacks(text: string): string[] {
  return [...text.matchAll(/font-family:\s*([^;}]+)/g)].map((m) => m[1].trim().replace(/\s+/g, " "));
}

describe("font stacks", () => {
  it("finds the stylesheets and their stacks", () => {
    expect(Object.keys(sheets)).toContain("./app.css");
    expect(fontStacks(sheets["./app.css"])).toContain("var(--desktop-font, system-ui), sans-serif");
    expect(fontStacks('a { font-family: "Segoe UI",  Roboto; }')).toEqual(['"Segoe UI", Roboto']);
  });

  it("name no family a desktop would have to look up", () => {
    const others = Object.entries(sheets).flatMap(([file, text]) =>
      fontStacks(text)
        .filter((stack) => !ALLOWED.has(stack))
        .map((stack) => `${file}: ${stack}`),
    );
    expect(others).toEqual([]);
  });
});
