// One Sendblue FaceTime call carried by Agora's Web SDK: join with the four values
// Sendblue gave, publish the microphone, play the callee's audio, leave on hang-up.
// The SDK is passed in (`Sdk`), so the logic runs against a stand-in in tests; main.ts
// passes the real AgoraRTC, and the compiler checks it fits these shapes.

import { classify, type Failure } from "./failures";

/** What Sendblue handed over, as the page received it. */
export interface Session {
  appId: string;
  channelName: string;
  token: string;
  /** null lets Agora assign one. */
  uid: number | null;
  callee: { name: string | null; number: string };
}

export interface Device {
  deviceId: string;
  label: string;
}

export interface MicrophoneTrack {
  setMuted(muted: boolean): Promise<void>;
  setDevice(deviceId: string): Promise<void>;
  close(): void;
}

export interface RemoteAudioTrack {
  play(): void;
  stop(): void;
  setPlaybackDevice(deviceId: string): Promise<void>;
}

export interface RemoteUser {
  uid: number | string;
  hasAudio: boolean;
  hasVideo: boolean;
  audioTrack?: RemoteAudioTrack;
}

export interface Client<Mic extends MicrophoneTrack = MicrophoneTrack, User extends RemoteUser = RemoteUser> {
  on(event: "user-published", handler: (user: User, mediaType: "audio" | "video" | "datachannel") => void): void;
  on(event: "user-left", handler: (user: User, reason: string) => void): void;
  on(event: "connection-state-change", handler: (current: string, previous: string, reason?: string) => void): void;
  join(appId: string, channel: string, token: string | null, uid?: number | string | null): Promise<number | string>;
  publish(tracks: Mic[]): Promise<void>;
  subscribe(user: User, mediaType: "audio"): Promise<unknown>;
  leave(): Promise<void>;
}

export interface Sdk<Mic extends MicrophoneTrack = MicrophoneTrack, User extends RemoteUser = RemoteUser> {
  createClient(config: { mode: "rtc"; codec: "vp8" }): Client<Mic, User>;
  createMicrophoneAudioTrack(config?: { microphoneId?: string }): Promise<Mic>;
  getMicrophones(): Promise<Device[]>;
  getPlaybackDevices(): Promise<Device[]>;
}

export type Phase =
  | { name: "joining" }
  | { name: "waiting" } // in the channel, the callee's audio not here yet
  | { name: "connected"; since: number }
  | { name: "reconnecting"; since: number | null }
  | { name: "ended"; why: "hung_up" | "callee_left"; duration: number | null }
  | { name: "failed"; failure: Failure };

/** What the page reports to Dialtone, as `dialtone_agora::PageEvent`. */
export type Report =
  | { event: "joined" }
  | { event: "remote_joined" }
  | { event: "remote_left" }
  | { event: "left" }
  | { event: "muted"; muted: boolean }
  | { event: "failed"; reason: Failure };

/** How long joining may take before the call is given up as unreachable. */
export const JOIN_WITHIN_MS = 20_000;

/** `promise`, or a NETWORK_TIMEOUT error (as Agora's own) after `ms`. */
function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject({ code: "NETWORK_TIMEOUT", message: "join timed out" }), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

export class AgoraCall<Mic extends MicrophoneTrack = MicrophoneTrack, User extends RemoteUser = RemoteUser> {
  phase: Phase = { name: "joining" };
  muted = false;
  private client: Client<Mic, User>;
  private mic: Mic | null = null;
  private remote: RemoteAudioTrack | null = null;
  private speaker: string | null = null;
  private listeners: Array<() => void> = [];

  constructor(
    private sdk: Sdk<Mic, User>,
    private session: Session,
    private report: (report: Report) => void,
    private now: () => number = Date.now,
    /** Agora's SDK retries an unreachable gateway for minutes; a person waits this long. */
    private joinWithinMs = JOIN_WITHIN_MS,
  ) {
    this.client = sdk.createClient({ mode: "rtc", codec: "vp8" });
    this.client.on("user-published", (user, mediaType) => void this.onPublished(user, mediaType));
    this.client.on("user-left", () => this.onCalleeLeft());
    this.client.on("connection-state-change", (current) => this.onConnection(current));
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Joins at once (the token is short-lived), then publishes the microphone. */
  async start(): Promise<void> {
    const { appId, channelName, token, uid } = this.session;
    try {
      await within(this.joinWithinMs, this.client.join(appId, channelName, token, uid));
      this.mic = await this.sdk.createMicrophoneAudioTrack();
      if (this.ended()) return this.mic.close();
      await this.client.publish([this.mic]);
    } catch (err) {
      return this.fail(classify(err));
    }
    if (this.phase.name === "joining") this.set({ name: "waiting" });
    this.report({ event: "joined" });
  }

  async setMuted(muted: boolean): Promise<void> {
    if (!this.mic) return;
    await this.mic.setMuted(muted);
    this.muted = muted;
    this.report({ event: "muted", muted });
    this.changed();
  }

  async setMicrophone(deviceId: string): Promise<void> {
    await this.mic?.setDevice(deviceId);
  }

  /** Plays the callee on `deviceId`; where the browser cannot choose (Safari, Firefox), says so by throwing. */
  async setSpeaker(deviceId: string): Promise<void> {
    this.speaker = deviceId;
    await this.remote?.setPlaybackDevice(deviceId);
  }

  /** Leaves the channel: the person hung up, here or in Dialtone's main window. */
  async hangUp(): Promise<void> {
    if (this.ended()) return;
    this.end("hung_up");
    this.report({ event: "left" });
    await this.release();
  }

  private async onPublished(user: User, mediaType: string): Promise<void> {
    if (mediaType !== "audio" || this.ended()) return;
    try {
      await this.client.subscribe(user, "audio");
    } catch (err) {
      return this.fail(classify(err));
    }
    this.remote = user.audioTrack ?? null;
    if (this.speaker) await this.remote?.setPlaybackDevice(this.speaker).catch(() => undefined);
    this.remote?.play();
    if (this.phase.name !== "connected") {
      this.set({ name: "connected", since: this.now() });
      this.report({ event: "remote_joined" });
    }
  }

  private onCalleeLeft(): void {
    if (this.ended()) return;
    this.end("callee_left");
    this.report({ event: "remote_left" });
    void this.release();
  }

  private onConnection(current: string): void {
    if (this.ended()) return;
    const since = this.phase.name === "connected" ? this.phase.since : null;
    if (current === "RECONNECTING") this.set({ name: "reconnecting", since });
    else if (current === "CONNECTED" && this.phase.name === "reconnecting") {
      this.set(this.phase.since === null ? { name: "waiting" } : { name: "connected", since: this.phase.since });
    }
  }

  private connectedSince(): number | null {
    const p = this.phase;
    return p.name === "connected" ? p.since : p.name === "reconnecting" ? p.since : null;
  }

  private end(why: "hung_up" | "callee_left"): void {
    const since = this.connectedSince();
    this.set({ name: "ended", why, duration: since === null ? null : this.now() - since });
  }

  private fail(failure: Failure): void {
    if (this.ended()) return;
    this.set({ name: "failed", failure });
    this.report({ event: "failed", reason: failure });
    void this.release();
  }

  private async release(): Promise<void> {
    this.remote?.stop();
    this.mic?.close();
    this.mic = null;
    await this.client.leave().catch(() => undefined);
  }

  private ended(): boolean {
    return this.phase.name === "ended" || this.phase.name === "failed";
  }

  private set(phase: Phase): void {
    this.phase = phase;
    this.changed();
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}
