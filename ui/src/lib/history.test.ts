import { describe, expect, it } from "vitest";
import type { CallRecord } from "./bindings";
import { describeOutcome, formatDuration, matchesFilter } from "./history";

const row = (over: Partial<CallRecord>): CallRecord => ({
  id: 1,
  at: 0,
  provider: "work",
  kind: "blooio",
  typed: "Ada",
  target: "+14155550123",
  target_display: "+1 415-555-0123",
  contact_id: null,
  contact_name: "Ada Lovelace",
  outcome: "facetime_link",
  call_id: null,
  link: "https://facetime.apple.com/join#v=1&p=x",
  link_expires_at: 2000,
  error_code: null,
  error_message: null,
  direction: "outgoing",
  duration_ms: null,
  stats: null,
  ...over,
});

describe("history", () => {
  it("offers a link again only while it is valid", () => {
    expect(describeOutcome(row({}), 1000).linkValid).toBe(true);
    const expired = describeOutcome(row({}), 3000);
    expect(expired.linkValid).toBe(false);
    expect(expired.label).toContain("expired");
  });

  it("marks failures", () => {
    expect(describeOutcome(row({ outcome: "failed", link: null }), 0).tone).toBe("bad");
  });

  it("reads live calls with their direction and length", () => {
    const answered = describeOutcome(row({ kind: "sip", outcome: "answered", direction: "incoming", duration_ms: 42_400 }), 0);
    expect(answered.label).toBe("Answered · 0:42");
    expect(answered.icon).toBe("↙");
    expect(describeOutcome(row({ kind: "sip", outcome: "answered", duration_ms: 3_723_000 }), 0).label).toBe("Answered · 1:02:03");
    expect(describeOutcome(row({ kind: "sip", outcome: "missed", direction: "incoming" }), 0).tone).toBe("bad");
    // A Sendblue call: its duration once the audio page ended, nothing before.
    expect(describeOutcome(row({ kind: "sendblue", outcome: "live_audio", link: null, duration_ms: 65_000 }), 0).label).toBe("FaceTime audio · 1:05");
    expect(describeOutcome(row({ kind: "sendblue", outcome: "live_audio", link: null, duration_ms: null }), 0).label).toBe("FaceTime audio");
    expect(describeOutcome(row({ kind: "sip", outcome: "declined", direction: "outgoing" }), 0).label).toBe("Declined by the far end");
    expect(formatDuration(0)).toBe("0:00");
  });

  it("filters by name, number and provider", () => {
    expect(matchesFilter(row({}), "lovelace")).toBe(true);
    expect(matchesFilter(row({}), "4155550123")).toBe(true);
    expect(matchesFilter(row({}), "WORK")).toBe(true);
    expect(matchesFilter(row({}), "grace")).toBe(false);
  });
});
