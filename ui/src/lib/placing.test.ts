import { afterEach, describe, expect, it, vi } from "vitest";

// The commands as the window's IPC would answer them: a call that takes a while.
const placed: number[] = [];
const redialled: [number, number][] = [];
let finish: () => void = () => {};
vi.mock("./bindings", () => ({
  commands: {
    placeCall: vi.fn((attempt: number) => {
      placed.push(attempt);
      return new Promise((resolve) => {
        finish = () =>
          resolve({ status: "ok", data: { provider: "w", kind: "blooio", to: "+14155550123", type: "placed", call_id: "c" } });
      });
    }),
    redial: vi.fn((attempt: number, id: number) => {
      redialled.push([attempt, id]);
      return Promise.resolve({ status: "error", error: { code: "cancelled", message: "Stopped waiting." } });
    }),
    playErrorTone: vi.fn(),
  },
  PAGE_EVENTS: { call: "dialtone-call" },
}));

import { startCall, startRedial, type CallState } from "./call";

afterEach(() => {
  placed.length = 0;
  redialled.length = 0;
});

describe("one placing guard for every way to start a call", () => {
  it("places one call from a double click, and none from a redial meanwhile", async () => {
    const states: CallState[] = [];
    const first = startCall("+14155550123", "w", (s) => states.push(s));
    const second = startCall("+14155550123", "w", (s) => states.push(s));
    const third = startRedial(7, "Ada", "w", (s) => states.push(s));
    expect(await second).toBe(false);
    expect(await third).toBe(false);
    // Let the first one's request start, then answer it.
    await vi.waitFor(() => expect(placed.length).toBe(1));
    finish();
    expect(await first).toBe(true);
    expect(placed.length).toBe(1);
    expect(redialled.length).toBe(0);
    expect(states.map((s) => s.phase)).toEqual(["placing", "done"]);
  });

  it("gives a redial an attempt number that Stop waiting can name", async () => {
    const states: CallState[] = [];
    expect(await startRedial(7, "Ada", "w", (s) => states.push(s))).toBe(true);
    expect(redialled.length).toBe(1);
    const [attempt, id] = redialled[0];
    expect(id).toBe(7);
    expect(attempt).toBeGreaterThan(0);
    const placing = states[0];
    expect(placing.phase === "placing" && placing.attempt).toBe(attempt);
    expect(states[1].phase).toBe("failed");
  });

  it("shows the provider the core chose, told by its call event for this attempt only", async () => {
    const states: CallState[] = [];
    const call = startCall("(415) 555-0123", null, (s) => states.push(s));
    await vi.waitFor(() => expect(placed.length).toBe(1));
    const attempt = placed[0];
    const dialling = { state: "dialling", provider: "home", kind: "blooio", label: "Blooio FaceTime link", to: "+14155550123" };
    // Another window's attempt, and a later state, change nothing.
    window.dispatchEvent(new CustomEvent("dialtone-call", { detail: { attempt: attempt + 1, event: dialling } }));
    window.dispatchEvent(new CustomEvent("dialtone-call", { detail: { attempt, event: { state: "ended", outcome: "placed" } } }));
    expect(states.length).toBe(1);
    window.dispatchEvent(new CustomEvent("dialtone-call", { detail: { attempt, event: dialling } }));
    expect(states[1]).toMatchObject({ phase: "placing", attempt, dialling: { provider: "home", to: "+14155550123" } });
    finish();
    await call;
    // Once the call is done, a late event is not heard.
    window.dispatchEvent(new CustomEvent("dialtone-call", { detail: { attempt, event: dialling } }));
    expect(states.map((s) => s.phase)).toEqual(["placing", "placing", "done"]);
  });
});
