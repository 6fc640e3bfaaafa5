import { describe, expect, it } from "vitest";
import { cleanPasted, isDialChar, KEYS, linkToDial } from "./dialpad";

describe("dialpad", () => {
  it("has twelve keys with the ITU letters", () => {
    expect(KEYS.map((k) => k.digit).join("")).toBe("123456789*0#");
    expect(KEYS.find((k) => k.digit === "7")?.letters).toBe("PQRS");
  });

  it("accepts only dialable characters", () => {
    expect(["5", "*", "#", "+"].every(isDialChar)).toBe(true);
    expect(["a", " ", "-", "55"].some(isDialChar)).toBe(false);
  });

  it("strips formatting and tel: from pasted numbers", () => {
    expect(cleanPasted("(415) 555-0123")).toBe("4155550123");
    expect(cleanPasted(" tel:+1-415-555-0123 ")).toBe("+14155550123");
    expect(cleanPasted("+44 20 7946 0958")).toBe("+442079460958");
    expect(cleanPasted("1+2")).toBe("12");
  });

  it("puts links from outside on the dialpad without losing what they name", () => {
    expect(linkToDial("tel:+1-415-555-0123")).toBe("+14155550123");
    expect(linkToDial("callto://+44 20 7946 0958")).toBe("+442079460958");
    expect(linkToDial("facetime-audio:+14155550123")).toBe("+14155550123");
    expect(linkToDial("facetime:ada@example.com")).toBe("facetime:ada@example.com");
    expect(linkToDial("sip:ada@pbx.example.com")).toBe("sip:ada@pbx.example.com");
  });
});
