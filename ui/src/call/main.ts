// The call page's entry: read the session the page was served with, remove it from
// the document, and carry the call with Agora's Web SDK, bundled (no CDN).

import AgoraRTC, { type IAgoraRTCRemoteUser, type IMicrophoneAudioTrack } from "agora-rtc-sdk-ng";
import { mount } from "svelte";
import CallView from "./CallView.svelte";
import { DialtoneLink } from "./link";
import { AgoraCall, type Sdk, type Session } from "./session";
import "./call.css";

// No SDK log in the console or uploaded to Agora: its lines can carry the join request.
AgoraRTC.setLogLevel(4);
AgoraRTC.disableLogUpload();

const block = document.getElementById("session");
const session = JSON.parse(block?.textContent ?? "null") as Session | null;
block?.remove();

const target = document.getElementById("call") as HTMLElement;
if (session) {
  const link = new DialtoneLink(
    (input, init) => fetch(input, init),
    (url, body) => navigator.sendBeacon(url, new Blob([body], { type: "application/json" })),
  );
  const sdk: Sdk<IMicrophoneAudioTrack, IAgoraRTCRemoteUser> = AgoraRTC;
  const call = new AgoraCall(sdk, session, (report) => link.send(report));
  target.textContent = "";
  mount(CallView, { target, props: { call, sdk, callee: session.callee, link } });
  addEventListener("pagehide", () => {
    if (call.phase.name !== "ended" && call.phase.name !== "failed") link.closing();
  });
  void link.watch(() => void call.hangUp());
  void call.start();
} else {
  target.textContent = "This call page has no session: it may have been opened twice. Call again from Dialtone.";
}
