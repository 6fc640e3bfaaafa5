import { describe, expect, it } from "vitest";
import { follow, hasWebRTC, routeWords, type AudioState } from "./callAudio";

describe("a Sendblue call's audio, followed from the main window", () => {
  it("detects WebRTC at run time rather than assuming it", () => {
    expect(hasWebRTC({})).toBe(false);
    expect(hasWebRTC({ RTCPeerConnection: function RTCPeerConnection() {} })).toBe(true);
    expect(hasWebRTC({ RTCPeerConnection: undefined })).toBe(false);
  });

  it("goes opened, ringing, connected, and ends with the connected time", () => {
    let s: AudioState = { name: "starting" };
    s = follow(s, { event: "opened" }, 0);
    expect(s).toEqual({ name: "opened" });
    s = follow(s, { event: "joined" }, 10);
    expect(s).toEqual({ name: "ringing" });
    s = follow(s, { event: "remote_joined" }, 1_000);
    s = follow(s, { event: "muted", muted: true }, 2_000);
    expect(s).toEqual({ name: "connected", since: 1_000 });
    expect(follow(s, { event: "remote_left" }, 61_000)).toEqual({ name: "ended", words: "The callee hung up.", duration: 60_000 });
    expect(follow(s, { event: "left" }, 4_000)).toEqual({ name: "ended", words: "Call ended.", duration: 3_000 });
  });

  it("says why, in words, when joining fails or the page never opens", () => {
    const failed = follow({ name: "ringing" }, { event: "failed", reason: "token_expired" }, 0);
    expect(failed.name).toBe("failed");
    expect(failed.name === "failed" && failed.words).toMatch(/expired/);
    const never = follow({ name: "starting" }, { event: "gone" }, 0);
    expect(never.name === "failed" && never.words).toMatch(/never opened/);
    expect(follow({ name: "ringing" }, { event: "gone" }, 0)).toEqual({
      name: "ended",
      words: "The call page was closed, so the call ended.",
      duration: null,
    });
  });

  it("tells the person plainly when the browser carries the call", () => {
    expect(routeWords("browser")).toMatch(/^Your browser is carrying this call's audio/);
    expect(routeWords("window")).not.toMatch(/browser/);
  });
});
