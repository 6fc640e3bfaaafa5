import { describe, expect, it } from "vitest";
import { describeStep, progressText, publishedOn } from "./updates";

const offer = { version: "0.2.0", notes: "Calls ring.", date: "2026-12-01T09:00:00Z" };

describe("the Updates card", () => {
  it("shows download progress in megabytes and percent", () => {
    expect(progressText({ received: 3_355_443, total: 15_518_924 })).toBe("3.2 MB of 14.8 MB (21 %)");
    expect(progressText({ received: 1_048_576, total: null })).toBe("1.0 MB received");
    expect(progressText(null)).toBe("Starting the download…");
  });

  it("says each step in words", () => {
    expect(describeStep({ step: "newest", current: "0.1.0" })).toBe("Dialtone 0.1.0 is the newest version.");
    expect(describeStep({ step: "offered", offer })).toBe("Dialtone 0.2.0 is available.");
    expect(describeStep({ step: "installed", offer })).toContain("Restart Dialtone to use it");
    const error = { code: "update_rejected" as const, message: "The update was refused: …" };
    expect(describeStep({ step: "failed", error, offer })).toBe("The update was refused: …");
  });

  it("reads the publication date, or leaves it out", () => {
    expect(publishedOn("2026-12-01T09:00:00Z")).toBe("1 December 2026");
    expect(publishedOn("yesterday")).toBeNull();
    expect(publishedOn(null)).toBeNull();
  });
});
