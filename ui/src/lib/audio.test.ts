import { describe, expect, it } from "vitest";
import { describeEcho, hasTone, meterPercent, readAudioEvent, type EchoReport } from "./audio";

const stats = { received: 100, played: 98, recovered: 1, concealed: 2, late: 0, duplicates: 0, dropped: 0, underruns: 0, target_ms: 40, depth_ms: 20 };

describe("keypad tones", () => {
  it("sound for digits, star, hash and A-D but not for +", () => {
    for (const key of ["0", "5", "9", "*", "#", "A", "D"]) expect(hasTone(key)).toBe(true);
    for (const key of ["+", "", "55", "x", " "]) expect(hasTone(key)).toBe(false);
  });
});

describe("the microphone meter", () => {
  it("maps -60..0 dBFS onto 0..100 % and clamps the rest", () => {
    expect(meterPercent(-96)).toBe(0);
    expect(meterPercent(-60)).toBe(0);
    expect(meterPercent(-30)).toBe(50);
    expect(meterPercent(-3)).toBe(95);
    expect(meterPercent(6)).toBe(100);
    expect(meterPercent(Number.NaN)).toBe(0);
  });
});

describe("engine reports", () => {
  it("reads each kind the app sends and refuses anything else", () => {
    expect(readAudioEvent({ kind: "level", dbfs: -12.5 })).toEqual({ kind: "level", dbfs: -12.5 });
    expect(readAudioEvent({ kind: "notice", message: "gone" })).toEqual({ kind: "notice", message: "gone" });
    expect(readAudioEvent({ kind: "echo_failed", message: "no mic" })).toEqual({ kind: "echo_failed", message: "no mic" });
    const progress = readAudioEvent({ kind: "echo_progress", elapsed_ms: 500, level_dbfs: -20, jitter: stats });
    expect(progress?.kind).toBe("echo_progress");
    const done = readAudioEvent({ kind: "echo_done", packets_sent: 100, network_lost: 0, jitter: stats, notices: [], stopped: false });
    expect(done?.kind === "echo_done" && done.packets_sent).toBe(100);
    expect(readAudioEvent({ kind: "level", dbfs: "loud" })).toBeNull();
    expect(readAudioEvent({ kind: "other" })).toBeNull();
    expect(readAudioEvent(null)).toBeNull();
    expect(readAudioEvent("level")).toBeNull();
  });
});

describe("the echo test's summary", () => {
  const report: EchoReport = {
    input: { id: "a", name: "Mic", is_default: true },
    output: { id: "b", name: "Speaker", is_default: true },
    packets_sent: 100,
    network_lost: 5,
    jitter: stats,
    output_dropped: 0,
    notices: [],
    stopped: false,
  };
  it("says what was sent, lost and repaired", () => {
    expect(describeEcho(report)).toBe(
      "100 packets of 20 ms sent, 98 played back, 5 lost on the way, 3 repaired by the jitter buffer, buffer 40 ms.",
    );
    expect(describeEcho({ ...report, stopped: true, network_lost: 0, jitter: { ...stats, recovered: 0, concealed: 0 } })).toBe(
      "Stopped: 100 packets of 20 ms sent, 98 played back, buffer 40 ms.",
    );
    expect(describeEcho({ ...report, packets_sent: 0 })).toBe("Nothing was heard from the microphone.");
  });
});
