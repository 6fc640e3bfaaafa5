import { describe, expect, it } from "vitest";
import type { LiveCallView, MediaStats } from "./bindings";
import {
  callKey,
  focusCall,
  initial,
  isLive,
  isMissed,
  quality,
  qualityLine,
  readPhoneUpdate,
  stateLine,
  timer,
  withCall,
} from "./phone";

const call = (over: Partial<LiveCallView>): LiveCallView => ({
  id: 1,
  account: "pbx",
  direction: "outgoing",
  remote: "sip:+14155550123@pbx.example",
  number: "+14155550123",
  name: null,
  state: "calling",
  held_by: null,
  muted: false,
  waiting: false,
  do_not_disturb: false,
  answered_at_ms: null,
  codec: null,
  encrypted: false,
  stats: null,
  end_reason: null,
  end_message: null,
  duration_s: null,
  notice: null,
  ...over,
});

const stats = (over: Partial<MediaStats>): MediaStats => ({
  packets_sent: 500,
  packets_received: 500,
  packets_lost: 0,
  jitter_ms: 2,
  round_trip_ms: 20,
  remote_loss_percent: null,
  dtmf_sent: 0,
  jitter_buffer_ms: 40,
  microphone_silent_ms: 0,
  ...over,
});

describe("phone", () => {
  it("reads only the phone's own updates", () => {
    expect(readPhoneUpdate({ type: "lines", lines: [] })).toEqual({ type: "lines", lines: [] });
    expect(readPhoneUpdate({ type: "other" })).toBeNull();
    expect(readPhoneUpdate(null)).toBeNull();
  });

  it("carries calls here only through a SIP account", () => {
    expect(isLive({ kind: "sip" })).toBe(true);
    expect(isLive({ kind: "bandwidth" })).toBe(false);
    expect(isLive(null)).toBe(false);
  });

  it("replaces a call by its id and keeps the others", () => {
    const calls = withCall([call({ id: 1 }), call({ id: 2 })], call({ id: 2, state: "ringing" }));
    expect(calls.map((c) => [c.id, c.state])).toEqual([
      [1, "calling"],
      [2, "ringing"],
    ]);
    expect(withCall(calls, call({ id: 3 })).length).toBe(3);
  });

  it("puts a ringing call in front of the one in progress, and never a declined-unheard one", () => {
    const talking = call({ id: 1, state: "connected" });
    const ringing = call({ id: 2, state: "incoming", direction: "incoming", waiting: true });
    expect(focusCall([talking, ringing])?.id).toBe(2);
    expect(focusCall([talking, { ...ringing, do_not_disturb: true }])?.id).toBe(1);
    expect(focusCall([call({ id: 4, state: "held" }), call({ id: 5, state: "ended" })])?.id).toBe(4);
    expect(focusCall([])).toBeNull();
  });

  it("counts a caller who gave up, and a call Do not disturb declined, as missed", () => {
    expect(isMissed(call({ direction: "incoming", state: "ended", end_reason: "missed" }))).toBe(true);
    expect(isMissed(call({ direction: "incoming", state: "ended", end_reason: "declined", do_not_disturb: true }))).toBe(true);
    expect(isMissed(call({ direction: "incoming", state: "ended", end_reason: "declined" }))).toBe(false);
    expect(isMissed(call({ direction: "outgoing", state: "ended", end_reason: "no_answer" }))).toBe(false);
  });

  it("runs the timer in minutes, then hours", () => {
    expect(timer(0, 65_400)).toBe("1:05");
    expect(timer(0, 3_723_000)).toBe("1:02:03");
    expect(timer(10_000, 0)).toBe("0:00");
  });

  it("says each state in words", () => {
    expect(stateLine(call({ state: "connected", answered_at_ms: 1000 }), 62_000)).toBe("Connected · 1:01");
    expect(stateLine(call({ state: "held", held_by: "remote" }), 0)).toBe("On hold by the other person");
    expect(stateLine(call({ state: "ended", end_message: "The line is busy." }), 0)).toBe("Ended: The line is busy.");
    expect(stateLine(call({ state: "incoming", waiting: true }), 0)).toContain("another call");
  });

  it("draws a contact's initial, or # for a bare number", () => {
    expect(initial({ name: "ada Lovelace", number: "+1" })).toBe("A");
    expect(initial({ name: null, number: "+1" })).toBe("#");
  });

  it("rates a clean line good and a lossy one poor, and says why", () => {
    const clean = quality(stats({}));
    expect(clean.level).toBe("good");
    expect(clean.mos).toBeGreaterThanOrEqual(4.3);
    expect(clean.warning).toBeNull();
    const lossy = quality(stats({ packets_received: 450, packets_lost: 50 }));
    expect(lossy.lossPercent).toBe(10);
    expect(lossy.level).toBe("poor");
    expect(lossy.warning).toContain("10%");
    // What the far end reports losing of ours counts too.
    expect(quality(stats({ remote_loss_percent: 5 })).warning).toContain("5%");
    // Long delay alone lowers the score without a loss warning.
    const far = quality(stats({ round_trip_ms: 800 }));
    expect(far.mos).toBeLessThan(clean.mos);
    expect(quality(stats({ packets_received: 0 })).warning).toBe("No sound is arriving from the other person.");
  });

  it("sums a call's quality up in one line", () => {
    expect(qualityLine(quality(stats({})))).toBe("Quality good (MOS 4.4) · loss 0% · jitter 2 ms · round trip 20 ms");
    expect(qualityLine(quality(stats({ round_trip_ms: null, packets_lost: 50, packets_received: 450 })))).toMatch(
      /^Quality poor \(MOS \d\.\d\) · loss 10% · jitter 2 ms$/,
    );
  });

  it("warns of a microphone sending only silence after three seconds, unless muted in the call", () => {
    expect(quality(stats({ microphone_silent_ms: 2980 })).warning).toBeNull();
    const silent = quality(stats({ microphone_silent_ms: 3000, packets_lost: 100 }));
    expect(silent.warning).toContain("sending only silence");
    expect(quality(stats({ microphone_silent_ms: 60000 }), true).warning).toBeNull();
  });

  it("maps keys in a call: digits send tones, Escape hangs up, Ctrl+M mutes, Ctrl+Shift+H holds", () => {
    const key = (k: string, mods: Partial<KeyboardEvent> = {}) =>
      callKey({ key: k, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods });
    expect(key("5")).toEqual({ dtmf: "5" });
    expect(key("#")).toEqual({ dtmf: "#" });
    expect(key("Escape")).toEqual({ action: "hang_up" });
    expect(key("m", { ctrlKey: true })).toEqual({ action: "mute" });
    expect(key("M", { metaKey: true })).toEqual({ action: "mute" });
    expect(key("H", { ctrlKey: true, shiftKey: true })).toEqual({ action: "hold" });
    expect(key("h", { ctrlKey: true })).toBeNull();
    expect(key("5", { ctrlKey: true })).toBeNull();
    expect(key("a")).toBeNull();
  });
});
