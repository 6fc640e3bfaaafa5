// Live calls through a SIP account: what the phone's updates mean for the window.
// The call's state machine runs in Rust (dialtone-core's DeskPhone); this keeps the
// list of calls the window shows, words for each state, and the quality figures.

import { PAGE_EVENTS, type LineView, type LiveCallView, type MediaStats, type PhoneUpdate, type ProviderView } from "./bindings";

export const PHONE_EVENT = PAGE_EVENTS.phone;
export type { LineView, LiveCallView, PhoneUpdate };

/** The update a `dialtone-phone` DOM event carries, or null for anything else. */
export function readPhoneUpdate(detail: unknown): PhoneUpdate | null {
  if (typeof detail !== "object" || detail === null) return null;
  const type = (detail as { type?: unknown }).type;
  return type === "call" || type === "lines" || type === "do_not_disturb" ? (detail as PhoneUpdate) : null;
}

/** Whether calls through `provider` are carried here (a SIP account). */
export function isLive(provider: Pick<ProviderView, "kind"> | null): boolean {
  return provider?.kind === "sip";
}

/**
 * The calls the window shows after an update: a call replaces its older self; an
 * ended call stays (its screen says why) until the person closes it.
 */
export function withCall(calls: LiveCallView[], call: LiveCallView): LiveCallView[] {
  const at = calls.findIndex((c) => c.id === call.id);
  if (at === -1) return [...calls, call];
  return calls.map((c) => (c.id === call.id ? call : c));
}

/** The call the screen is about: one ringing for an answer first, then one in progress, then the newest. */
export function focusCall(calls: LiveCallView[]): LiveCallView | null {
  return (
    calls.find((c) => c.state === "incoming" && !c.do_not_disturb) ??
    calls.find((c) => c.state === "connected" || c.state === "calling" || c.state === "ringing") ??
    calls.find((c) => c.state === "held") ??
    calls[calls.length - 1] ??
    null
  );
}

/** Whether an update made a new missed call (a caller who gave up, or one Do not disturb declined). */
export function isMissed(call: LiveCallView): boolean {
  return (
    call.state === "ended" &&
    call.direction === "incoming" &&
    (call.end_reason === "missed" || call.do_not_disturb)
  );
}

/** Minutes and seconds (hours when it runs that long) since `since` milliseconds. */
export function timer(since: number, now: number): string {
  const total = Math.max(0, Math.floor((now - since) / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

/** The state in words, with the running time once connected. */
export function stateLine(call: LiveCallView, now: number): string {
  switch (call.state) {
    case "calling":
      return "Calling…";
    case "ringing":
      return "Ringing…";
    case "incoming":
      return call.waiting ? "Calling you (another call is on)" : "Calling you";
    case "connected":
      return call.answered_at_ms ? `Connected · ${timer(call.answered_at_ms, now)}` : "Connected";
    case "held":
      return call.held_by === "remote" ? "On hold by the other person" : "On hold";
    case "ended":
      if (call.do_not_disturb) return "Missed: declined while Do not disturb was on";
      return `Ended: ${call.end_message ?? "the call is over"}`;
  }
}

/** The first letter of the name (or a # for a bare number), for the round picture. */
export function initial(call: Pick<LiveCallView, "name" | "number">): string {
  const letter = (call.name ?? "").trim().charAt(0);
  return letter ? letter.toLocaleUpperCase() : "#";
}

export type Quality = {
  /** Estimated mean opinion score, 1 (bad) to 4.5 (as good as a phone gets). */
  mos: number;
  level: "good" | "fair" | "poor";
  /** Percent of sound lost, the worse of both directions. */
  lossPercent: number;
  jitterMs: number;
  roundTripMs: number | null;
  /** Something the person should know, in words, or null. */
  warning: string | null;
};

/** Loss above this many percent is worth a warning: speech starts to break up. */
export const LOSS_WARNING_PERCENT = 3;

/**
 * A microphone that has given nothing but digital silence this long is muted at the
 * device or by the system, unplugged, or not the one the person speaks into: long
 * enough not to fire at a pause, short enough that the other person has not yet
 * asked "hello?" twice.
 */
export const SILENT_MICROPHONE_MS = 3000;

/**
 * Call quality from the RTP/RTCP figures, with an estimated MOS from a simplified
 * ITU-T G.107 E-model (the way most softphones estimate it): delay and jitter lower
 * the R factor a little, loss lowers it a lot.
 */
export function quality(stats: MediaStats, muted = false): Quality {
  const expected = stats.packets_received + stats.packets_lost;
  const localLoss = expected > 0 ? (100 * stats.packets_lost) / expected : 0;
  const lossPercent = Math.max(localLoss, stats.remote_loss_percent ?? 0);
  const oneWay = (stats.round_trip_ms ?? 0) / 2 + 2 * stats.jitter_ms + 10;
  const delayPenalty = oneWay < 160 ? oneWay / 40 : (oneWay - 120) / 10;
  const r = Math.min(100, Math.max(0, 93.2 - delayPenalty - 2.5 * lossPercent));
  const mos = Math.min(4.5, Math.max(1, 1 + 0.035 * r + 7e-6 * r * (r - 60) * (100 - r)));
  const level = mos >= 4 ? "good" : mos >= 3.6 ? "fair" : "poor";
  let warning: string | null = null;
  // Muted in Dialtone, silence is what the person asked for.
  if (!muted && stats.microphone_silent_ms >= SILENT_MICROPHONE_MS)
    warning = "Your microphone is sending only silence: check it is plugged in, not muted, and chosen in Settings → Audio.";
  else if (stats.packets_sent > 50 && stats.packets_received === 0) warning = "No sound is arriving from the other person.";
  else if (lossPercent > LOSS_WARNING_PERCENT) warning = `${Math.round(lossPercent)}% of the sound is being lost: the line may break up.`;
  return {
    mos: Math.round(mos * 10) / 10,
    level,
    lossPercent: Math.round(lossPercent * 10) / 10,
    jitterMs: Math.round(stats.jitter_ms),
    roundTripMs: stats.round_trip_ms == null ? null : Math.round(stats.round_trip_ms),
    warning,
  };
}

/** A call's quality in one line, for the report after it and its row in History. */
export function qualityLine(q: Quality): string {
  const roundTrip = q.roundTripMs == null ? "" : ` · round trip ${q.roundTripMs} ms`;
  return `Quality ${q.level} (MOS ${q.mos.toFixed(1)}) · loss ${q.lossPercent}% · jitter ${q.jitterMs} ms${roundTrip}`;
}

/** What keys do during a call (focus in the call screen). */
export type CallKey = { dtmf: string } | { action: "hang_up" | "mute" | "hold" | "answer" } | null;

export function callKey(event: Pick<KeyboardEvent, "key" | "ctrlKey" | "metaKey" | "shiftKey" | "altKey">): CallKey {
  const mod = event.ctrlKey || event.metaKey;
  if (event.altKey) return null;
  if (mod && event.shiftKey && event.key.toLowerCase() === "h") return { action: "hold" };
  if (mod && !event.shiftKey && event.key.toLowerCase() === "m") return { action: "mute" };
  if (mod) return null;
  if (event.key === "Escape") return { action: "hang_up" };
  if (event.key === "Enter") return { action: "answer" };
  if (/^[0-9*#]$/.test(event.key)) return { dtmf: event.key };
  return null;
}
