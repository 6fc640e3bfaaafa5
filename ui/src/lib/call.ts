// What a call's outcome means to the person, and how a FaceTime link is shared.
import type { AppError, CallStatus, CallUpdate, ErrorCode, Placed } from "./bindings";

/** How long after a link is made its first visitor is let in without asking. */
export const AUTO_ADMIT_MINUTES = 2;

/** "2 h 59 min", "12 min", "expired": how long a link stays valid from `nowSeconds`. */
export function validFor(expiresAt: number, nowSeconds: number): string {
  const left = expiresAt - nowSeconds;
  if (left <= 0) return "expired";
  const minutes = Math.floor(left / 60);
  const hours = Math.floor(minutes / 60);
  if (hours > 0) return `${hours} h ${minutes % 60} min`;
  if (minutes > 0) return `${minutes} min`;
  return "less than a minute";
}

/** "0:07", "1:02:03": time since the call started. */
export function elapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

/** mailto: and sms: links that carry the FaceTime link, ready for the system to open. */
export function shareLinks(link: string): { email: string; message: string } {
  const text = `Join my FaceTime call: ${link}`;
  return {
    email: `mailto:?subject=${encodeURIComponent("FaceTime call")}&body=${encodeURIComponent(text)}`,
    message: `sms:?&body=${encodeURIComponent(text)}`,
  };
}

/** One line saying what happened, for the call screen's heading. */
export function headline(call: Placed): string {
  switch (call.type) {
    case "placed":
      return `Calling ${call.to}`;
    case "facetime_link":
      return `FaceTime link for ${call.to}`;
    case "live_audio":
      return `FaceTime call to ${call.to} started`;
    case "recorded":
      return `Call to ${call.to} recorded in the CRM`;
  }
}

/** The call's state as a phone shows it, with why it ended when the provider says. */
export function statusLine(status: CallStatus): string {
  const words = { ringing: "Ringing", connected: "Connected", ended: "Ended" }[status.phase ?? "ringing"];
  const why = [status.disconnectCause, status.errorMessage].filter((w): w is string => !!w && w.trim() !== "");
  return why.length > 0 ? `${words}: ${why.join(" — ")}` : words;
}

/** What the person can do next about an error, by its code. */
export function nextStep(code: ErrorCode): string {
  switch (code) {
    case "provider_auth":
    case "secret_missing":
      return "Check the provider's credentials in Settings → Providers.";
    case "provider_unknown":
      return "Add a provider in Settings → Providers, or choose another.";
    case "provider_timeout":
      return "The call may have been placed: check before calling again.";
    case "provider_unavailable":
      // The message says whether a call may have been placed (a 5xx) or not (Blooio's 501).
      return "Try again later, or choose another provider.";
    case "provider_rate_limited":
      return "Wait a moment, then try again.";
    case "provider_unreachable":
      return "Check your internet connection and the provider's base URL.";
    case "keychain_unavailable":
      return "Start your system keychain (on Linux: gnome-keyring or KWallet), then try again.";
    case "invalid_input":
      return "Check the number or address and try again.";
    default:
      return "Try again, or choose another provider.";
  }
}

/** An attempt number for stop-waiting: unique enough within one window. */
let counter = 0;
export function nextAttempt(): number {
  counter = (counter + 1) % 1_000_000;
  return (Date.now() % 1_000_000) * 1000 + counter;
}

/** The provider the core chose for a call being placed, once it has said (its `dialling` event). */
export type Dialling = { provider: string; label: string; to: string };

export type CallState =
  | { phase: "placing"; started: number; attempt: number; target: string; via: string | null; dialling: Dialling | null }
  | { phase: "done"; started: number; call: Placed; via: string | null }
  | { phase: "failed"; started: number; error: AppError; target: string };

type Placing = (attempt: number) => Promise<{ status: "ok"; data: Placed } | { status: "error"; error: AppError }>;

/** Whether a call is being placed from any screen: one guard for every way to start one. */
let placingNow = false;

/**
 * Runs one way of starting a call (dial, contact, redial) under the one placing guard,
 * with an attempt number Stop waiting can name, reporting each phase through `update`.
 * Returns false, doing nothing, while another call is being placed: a double click
 * must not place two real calls.
 */
export async function runAttempt(
  target: string,
  via: string | null,
  update: (state: CallState) => void,
  place: Placing,
): Promise<boolean> {
  if (placingNow) return false;
  placingNow = true;
  try {
    const { commands, PAGE_EVENTS } = await import("./bindings");
    const CALL_EVENT = PAGE_EVENTS.call;
    const attempt = nextAttempt();
    const started = Date.now();
    update({ phase: "placing", started, attempt, target, via, dialling: null });
    // The core says which provider it chose (the contact's own, the default) as it
    // dials; heard only while this attempt is being placed.
    const onCall = (event: Event) => {
      const told = (event as CustomEvent<CallUpdate>).detail;
      if (told?.attempt !== attempt || told.event.state !== "dialling") return;
      const { provider, label, to } = told.event;
      update({ phase: "placing", started, attempt, target, via, dialling: { provider, label, to } });
    };
    window.addEventListener(CALL_EVENT, onCall);
    let result: Awaited<ReturnType<Placing>>;
    try {
      result = await place(attempt);
    } finally {
      window.removeEventListener(CALL_EVENT, onCall);
    }
    if (result.status === "ok") {
      update({ phase: "done", started, call: result.data, via });
      return true;
    }
    update({ phase: "failed", started, error: result.error, target });
    // A short error tone, as a phone gives; not when the person stopped waiting.
    if (result.error.code !== "cancelled") commands.playErrorTone();
    return true;
  } finally {
    placingNow = false;
  }
}

/** Places a call to what was typed or clicked. */
export async function startCall(target: string, via: string | null, update: (state: CallState) => void): Promise<boolean> {
  const { commands } = await import("./bindings");
  return runAttempt(target, via, update, (attempt) => commands.placeCall(attempt, target, via));
}

/** Calls a history entry again, through the same flow as the dialpad. */
export async function startRedial(
  id: number,
  shown: string,
  via: string,
  update: (state: CallState) => void,
): Promise<boolean> {
  const { commands } = await import("./bindings");
  return runAttempt(shown, via, update, (attempt) => commands.redial(attempt, id));
}

const LAST_PROVIDER = "dialtone.lastProvider";

/**
 * The dialpad's "Automatic" choice: no provider named, so the core picks, as it does
 * for the CLI: the contact's own provider when the number is a contact's, else the
 * default, else the only one. The rule lives in the core alone.
 */
export const AUTOMATIC = "";

/** What to preselect: the last choice if it still exists (Automatic included), else Automatic. */
export function preferredProvider(providers: { name: string }[], storage: Pick<Storage, "getItem"> | null): string {
  const last = storage?.getItem(LAST_PROVIDER) ?? AUTOMATIC;
  return providers.some((p) => p.name === last) ? last : AUTOMATIC;
}

export function rememberProvider(choice: string, storage: Pick<Storage, "setItem"> | null): void {
  storage?.setItem(LAST_PROVIDER, choice);
}

/** The `via` a call is placed with: null lets the core choose. */
export function viaOf(choice: string): string | null {
  return choice === AUTOMATIC ? null : choice;
}

/** The provider a choice stands for, as far as the window can tell before the number is known. */
export function chosenProvider<P extends { name: string; is_default: boolean }>(choice: string, providers: P[]): P | null {
  if (choice !== AUTOMATIC) return providers.find((p) => p.name === choice) ?? null;
  return providers.find((p) => p.is_default) ?? (providers.length === 1 ? providers[0] : null);
}
