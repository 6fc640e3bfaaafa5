import { describe, expect, it } from "vitest";
import { classify, failureWords, type Failure } from "./failures";
import { DialtoneLink } from "./link";
import { AgoraCall, type Client, type MicrophoneTrack, type RemoteUser, type Report, type Sdk, type Session } from "./session";

const SESSION: Session = {
  appId: "app-1",
  channelName: "chan-1",
  token: "tok-secret",
  uid: 42,
  callee: { name: "Ada", number: "+1 415-555-0123" },
};

/** A stand-in for AgoraRTC and its client: records every call, fails where told. */
class StandIn {
  log: string[] = [];
  handlers = new Map<string, (...args: unknown[]) => void>();
  joinError: unknown = null;
  micError: unknown = null;
  mic = {
    muted: false,
    closed: false,
    setMuted: async (m: boolean) => {
      this.log.push(`mic.setMuted(${m})`);
      this.mic.muted = m;
    },
    setDevice: async (id: string) => void this.log.push(`mic.setDevice(${id})`),
    close: () => {
      this.log.push("mic.close");
      this.mic.closed = true;
    },
  };
  sdk: Sdk = {
    createClient: (config) => {
      this.log.push(`createClient(${JSON.stringify(config)})`);
      return this.client;
    },
    createMicrophoneAudioTrack: async () => {
      this.log.push("createMicrophoneAudioTrack");
      if (this.micError) throw this.micError;
      return this.mic;
    },
    getMicrophones: async () => [],
    getPlaybackDevices: async () => [],
  };
  client: Client = {
    on: (event: string, handler: (...args: never[]) => void) => {
      this.handlers.set(event, handler as (...args: unknown[]) => void);
    },
    join: async (...args) => {
      this.log.push(`join(${JSON.stringify(args)})`);
      if (this.joinError) throw this.joinError;
      return 42;
    },
    publish: async (tracks: MicrophoneTrack[]) => void this.log.push(`publish(${tracks.length}, ${tracks[0] === this.mic})`),
    subscribe: async (user: RemoteUser, mediaType: string) => void this.log.push(`subscribe(${user.uid}, ${mediaType})`),
    leave: async () => void this.log.push("leave"),
  };
  emit(event: string, ...args: unknown[]) {
    this.handlers.get(event)?.(...args);
  }
  remote(uid: number) {
    const user: RemoteUser = {
      uid,
      hasAudio: true,
      hasVideo: false,
      audioTrack: {
        play: () => void this.log.push(`remote.play(${uid})`),
        stop: () => void this.log.push(`remote.stop(${uid})`),
        setPlaybackDevice: async (id: string) => void this.log.push(`remote.setPlaybackDevice(${id})`),
      },
    };
    return user;
  }
}

function setUp() {
  const standIn = new StandIn();
  const reports: Report[] = [];
  let clock = 1_000;
  const call = new AgoraCall(standIn.sdk, SESSION, (r) => reports.push(r), () => clock);
  return { standIn, reports, call, tick: (ms: number) => (clock += ms) };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe("a Sendblue call through Agora's SDK", () => {
  it("joins with exactly the four values, then publishes the microphone", async () => {
    const { standIn, reports, call } = setUp();
    await call.start();
    expect(standIn.log).toEqual([
      'createClient({"mode":"rtc","codec":"vp8"})',
      'join(["app-1","chan-1","tok-secret",42])',
      "createMicrophoneAudioTrack",
      "publish(1, true)",
    ]);
    expect(call.phase).toEqual({ name: "waiting" });
    expect(reports).toEqual([{ event: "joined" }]);
  });

  it("lets Agora assign the uid when Sendblue gave 0 (null)", async () => {
    const standIn = new StandIn();
    await new AgoraCall(standIn.sdk, { ...SESSION, uid: null }, () => {}).start();
    expect(standIn.log[1]).toBe('join(["app-1","chan-1","tok-secret",null])');
  });

  it("subscribes to and plays the callee's audio when it is published, and only audio", async () => {
    const { standIn, reports, call, tick } = setUp();
    await call.start();
    standIn.emit("user-published", standIn.remote(7), "video");
    await settle();
    expect(standIn.log).not.toContain("subscribe(7, video)");
    expect(call.phase.name).toBe("waiting");
    standIn.emit("user-published", standIn.remote(7), "audio");
    await settle();
    expect(standIn.log.slice(-2)).toEqual(["subscribe(7, audio)", "remote.play(7)"]);
    expect(call.phase).toEqual({ name: "connected", since: 1_000 });
    expect(reports.at(-1)).toEqual({ event: "remote_joined" });
    tick(65_000);
    standIn.emit("user-left", standIn.remote(7), "Quit");
    await settle();
    expect(call.phase).toEqual({ name: "ended", why: "callee_left", duration: 65_000 });
    expect(reports.at(-1)).toEqual({ event: "remote_left" });
    expect(standIn.log.slice(-3)).toEqual(["remote.stop(7)", "mic.close", "leave"]);
  });

  it("leaves on hang up, closing the microphone, and reports it once", async () => {
    const { standIn, reports, call } = setUp();
    await call.start();
    await call.hangUp();
    await call.hangUp();
    expect(standIn.log.slice(-2)).toEqual(["mic.close", "leave"]);
    expect(standIn.mic.closed).toBe(true);
    expect(reports.filter((r) => r.event === "left")).toHaveLength(1);
    expect(call.phase).toEqual({ name: "ended", why: "hung_up", duration: null });
  });

  it("mutes the published microphone and says so", async () => {
    const { standIn, reports, call } = setUp();
    await call.start();
    await call.setMuted(true);
    expect(standIn.mic.muted).toBe(true);
    expect(call.muted).toBe(true);
    expect(reports.at(-1)).toEqual({ event: "muted", muted: true });
  });

  it("plays the callee on the chosen speaker, also when chosen before they arrive", async () => {
    const { standIn, call } = setUp();
    await call.start();
    await call.setSpeaker("spk-2");
    standIn.emit("user-published", standIn.remote(7), "audio");
    await settle();
    expect(standIn.log.slice(-3)).toEqual(["subscribe(7, audio)", "remote.setPlaybackDevice(spk-2)", "remote.play(7)"]);
    await call.setMicrophone("mic-3");
    expect(standIn.log.at(-1)).toBe("mic.setDevice(mic-3)");
  });

  it("a hang-up while joining never publishes the microphone", async () => {
    const { standIn, call } = setUp();
    const started = call.start();
    await call.hangUp();
    await started;
    expect(standIn.log).not.toContain("publish(1, true)");
    expect(standIn.mic.closed).toBe(true);
  });

  const failures: Array<[string, unknown, Failure]> = [
    ["an expired token", { code: "CAN_NOT_GET_GATEWAY_SERVER", message: "flag: 4096, message: AgoraRTCError CAN_NOT_GET_GATEWAY_SERVER: dynamic key expired" }, "token_expired"],
    ["a token Agora rejects", { code: "CAN_NOT_GET_GATEWAY_SERVER", message: "AgoraRTCError CAN_NOT_GET_GATEWAY_SERVER: invalid token, authorized failed" }, "refused"],
    ["an invalid vendor key", { code: "CAN_NOT_GET_GATEWAY_SERVER", message: "flag: 4096, message: AgoraRTCError CAN_NOT_GET_GATEWAY_SERVER: INVALID_VENDOR_KEY" }, "refused"],
    ["no network", { code: "NETWORK_ERROR", message: "Network Error" }, "network"],
    ["a network timeout", { code: "NETWORK_TIMEOUT", message: "timeout" }, "network"],
  ];
  for (const [what, err, failure] of failures) {
    it(`says which when joining fails with ${what}`, async () => {
      const { standIn, reports, call } = setUp();
      standIn.joinError = err;
      await call.start();
      expect(call.phase).toEqual({ name: "failed", failure });
      expect(reports).toEqual([{ event: "failed", reason: failure }]);
      expect(standIn.log).not.toContain("createMicrophoneAudioTrack");
      expect(standIn.log.at(-1)).toBe("leave");
    });
  }

  it("gives up a join that does not finish (an unreachable gateway is retried for minutes) as a network failure", async () => {
    const standIn = new StandIn();
    standIn.client.join = () => new Promise(() => {});
    const reports: Report[] = [];
    const call = new AgoraCall(standIn.sdk, SESSION, (r) => reports.push(r), Date.now, 30);
    await call.start();
    expect(call.phase).toEqual({ name: "failed", failure: "network" });
    expect(reports).toEqual([{ event: "failed", reason: "network" }]);
    expect(standIn.log.at(-1)).toBe("leave");
  });

  const microphoneFailures: Array<[string, unknown, Failure]> = [
    ["permission denied", { code: "PERMISSION_DENIED", message: "NotAllowedError: Permission denied" }, "microphone_denied"],
    ["no microphone", { code: "DEVICE_NOT_FOUND", message: "" }, "no_microphone"],
    ["a microphone in use", { code: "NOT_READABLE", message: "" }, "microphone_busy"],
    ["a browser's own NotAllowedError", new DOMException("denied", "NotAllowedError"), "microphone_denied"],
  ];
  for (const [what, err, failure] of microphoneFailures) {
    it(`says which when the microphone fails with ${what}, and leaves the channel`, async () => {
      const { standIn, reports, call } = setUp();
      standIn.micError = err;
      await call.start();
      expect(call.phase).toEqual({ name: "failed", failure });
      expect(reports).toEqual([{ event: "failed", reason: failure }]);
      expect(standIn.log.at(-1)).toBe("leave");
    });
  }
});

describe("failure words", () => {
  it("are plain, distinct, and never echo the SDK's message (which may carry the request)", () => {
    const all: Failure[] = ["token_expired", "refused", "network", "microphone_denied", "no_microphone", "microphone_busy", "unsupported", "other"];
    const words = all.map(failureWords);
    expect(new Set(words).size).toBe(all.length);
    expect(failureWords("token_expired")).toMatch(/expired/);
    expect(failureWords("network")).toMatch(/internet connection/);
    expect(failureWords("microphone_denied")).toMatch(/Microphone permission was denied/);
    expect(classify({ code: "SOMETHING_NEW", message: "token=tok-secret" })).toBe("other");
  });
});

describe("the page's line back to Dialtone", () => {
  it("posts each report to its own path, and hangs up when a poll says so", async () => {
    const requests: Array<[string, unknown]> = [];
    const answers = [{ hangUp: false }, { hangUp: true }];
    const link = new DialtoneLink(
      async (input, init) => {
        requests.push([input, init?.body ?? null]);
        return { ok: true, json: async () => answers.shift() };
      },
      () => true,
    );
    link.send({ event: "joined" });
    let hungUp = 0;
    await link.watch(() => void hungUp++);
    expect(hungUp).toBe(1);
    expect(requests).toEqual([
      ["events", '{"event":"joined"}'],
      ["next", null],
      ["next", null],
    ]);
  });

  it("keeps polling through a failed poll, and a closing page beacons that it left", async () => {
    let polls = 0;
    const beacons: string[] = [];
    const link = new DialtoneLink(
      async () => {
        polls++;
        if (polls === 1) throw new TypeError("Failed to fetch");
        return { ok: true, json: async () => ({ hangUp: polls >= 3 }) };
      },
      (url, body) => beacons.push(`${url} ${body}`) > 0,
    );
    let hungUp = false;
    await link.watch(() => void (hungUp = true), async () => {});
    expect(polls).toBe(3);
    expect(hungUp).toBe(true);
    link.closing();
    expect(beacons).toEqual([]); // already closed by the hang-up: nothing more to say
    const other = new DialtoneLink(async () => ({ ok: true, json: async () => ({}) }), (url, body) => beacons.push(`${url} ${body}`) > 0);
    other.closing();
    other.closing();
    expect(beacons).toEqual(['events {"event":"left"}']);
  });
});
