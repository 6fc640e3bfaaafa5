// A Sendblue call's audio as the main window follows it: where it is carried, and
// what its page reported. The page itself is src/call/; the token never comes here.
import { failureWords } from "../call/failures";
import type { AudioRoute, PageEvent } from "./bindings";

/** Whether this web view can carry WebRTC: checked at run time, never assumed. */
export function hasWebRTC(win: object = globalThis): boolean {
  return typeof (win as { RTCPeerConnection?: unknown }).RTCPeerConnection === "function";
}

export type AudioState =
  | { name: "starting" }
  | { name: "opened" }
  | { name: "ringing" }
  | { name: "connected"; since: number }
  | { name: "ended"; words: string; duration: number | null }
  | { name: "failed"; words: string };

/** The state after `event`, at time `now`. */
export function follow(state: AudioState, event: PageEvent, now: number): AudioState {
  const since = state.name === "connected" ? state.since : null;
  const ended = (words: string): AudioState => ({ name: "ended", words, duration: since === null ? null : now - since });
  switch (event.event) {
    case "opened":
      return state.name === "starting" ? { name: "opened" } : state;
    case "joined":
      return state.name === "connected" ? state : { name: "ringing" };
    case "remote_joined":
      return since === null ? { name: "connected", since: now } : state;
    case "muted":
      return state;
    case "remote_left":
      return ended("The callee hung up.");
    case "left":
      return ended("Call ended.");
    case "gone":
      return state.name === "starting"
        ? { name: "failed", words: "The call page was never opened: the browser did not load it. Call again." }
        : ended("The call page was closed, so the call ended.");
    case "failed":
      return { name: "failed", words: failureWords(event.reason) };
  }
}

/** Said plainly: where the sound is. */
export function routeWords(route: AudioRoute): string {
  return route === "browser"
    ? "Your browser is carrying this call's audio. Keep its tab open; hang up there or here."
    : "Dialtone's call window is carrying this call's audio.";
}
