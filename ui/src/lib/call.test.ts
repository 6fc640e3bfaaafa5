import { describe, expect, it } from "vitest";
import type { CallStatus } from "./bindings";
import { AUTOMATIC, chosenProvider, elapsed, headline, nextStep, preferredProvider, shareLinks, statusLine, validFor, viaOf } from "./call";

function status(over: Partial<CallStatus>): CallStatus {
  return {
    state: "initiated",
    phase: "ringing",
    direction: null,
    from: null,
    to: null,
    answerTime: null,
    endTime: null,
    disconnectCause: null,
    errorMessage: null,
    ...over,
  };
}

const LINK = "https://facetime.apple.com/join#v=1&p=AeX1cmBiEe2cQwKlK0D5bA&k=Qx3hT";

describe("call", () => {
  it("says how long a link stays valid", () => {
    expect(validFor(1000 + 3 * 3600, 1000)).toBe("3 h 0 min");
    expect(validFor(1000 + 12 * 60 + 5, 1000)).toBe("12 min");
    expect(validFor(1030, 1000)).toBe("less than a minute");
    expect(validFor(999, 1000)).toBe("expired");
  });

  it("shows a provider's call state as a phone does, with why it ended", () => {
    expect(statusLine(status({}))).toBe("Ringing");
    expect(statusLine(status({ state: "answered", phase: "connected" }))).toBe("Connected");
    expect(statusLine(status({ state: "disconnected", phase: "ended", disconnectCause: "busy" }))).toBe("Ended: busy");
    expect(
      statusLine(
        status({ state: "disconnected", phase: "ended", disconnectCause: "error", errorMessage: "Invalid answer URL" }),
      ),
    ).toBe("Ended: error — Invalid answer URL");
  });

  it("counts elapsed time like a phone", () => {
    expect(elapsed(7_400)).toBe("0:07");
    expect(elapsed(62_000)).toBe("1:02");
    expect(elapsed(3_723_000)).toBe("1:02:03");
  });

  it("shares the link whole, fragment included", () => {
    const { email, message } = shareLinks(LINK);
    expect(email.startsWith("mailto:?subject=FaceTime%20call&body=")).toBe(true);
    expect(decodeURIComponent(email.split("body=")[1])).toBe(`Join my FaceTime call: ${LINK}`);
    expect(decodeURIComponent(message.split("body=")[1])).toBe(`Join my FaceTime call: ${LINK}`);
  });

  it("words each outcome", () => {
    const base = { provider: "work", kind: "blooio" as const, to: "+14155550123" };
    expect(headline({ ...base, type: "facetime_link", link: LINK, handle: null, expires_at: 1 })).toBe(
      "FaceTime link for +14155550123",
    );
    expect(headline({ ...base, type: "placed", call_id: "c-1" })).toBe("Calling +14155550123");
  });

  it("suggests what to do after an error", () => {
    expect(nextStep("provider_timeout")).toContain("check before calling again");
    expect(nextStep("provider_auth")).toContain("Settings → Providers");
  });
});


describe("provider picker", () => {
  const providers = [
    { name: "work", is_default: false },
    { name: "home", is_default: true },
  ];
  it("remembers the last choice while it exists, else leaves the choice to the core", () => {
    expect(preferredProvider(providers, { getItem: () => "work" })).toBe("work");
    expect(preferredProvider(providers, { getItem: () => "" })).toBe(AUTOMATIC);
    expect(preferredProvider(providers, { getItem: () => "gone" })).toBe(AUTOMATIC);
    expect(preferredProvider(providers, null)).toBe(AUTOMATIC);
    expect(preferredProvider([], null)).toBe(AUTOMATIC);
  });

  it("sends no provider for Automatic, so a contact's own provider can be used", () => {
    expect(viaOf(AUTOMATIC)).toBe(null);
    expect(viaOf("work")).toBe("work");
  });

  it("shows Automatic as the default provider, or the only one", () => {
    expect(chosenProvider(AUTOMATIC, providers)?.name).toBe("home");
    expect(chosenProvider("work", providers)?.name).toBe("work");
    expect(chosenProvider(AUTOMATIC, [{ name: "solo", is_default: false }])?.name).toBe("solo");
    expect(chosenProvider(AUTOMATIC, [{ name: "a", is_default: false }, { name: "b", is_default: false }])).toBe(null);
  });
});
