import { describe, expect, it } from "vitest";
import type { Field } from "./bindings";
import { editedSettings, fieldOfError, kindId, nonSecretSettings } from "./providers";

const field = (name: string, secret = false): Field => ({
  name,
  label: name,
  secret,
  required: false,
  help: "",
  default: null,
  check: { type: "text" },
});

describe("provider forms", () => {
  it("chooses ready definitions by their own name", () => {
    expect(kindId({ kind: "http", preset: "twilio" })).toBe("twilio");
    expect(kindId({ kind: "blooio", preset: null })).toBe("blooio");
  });

  it("never puts a secret among the settings", () => {
    const fields = [field("base_url"), field("api_key", true), field("from_number")];
    const values = { base_url: " https://b.example ", api_key: "sk_live", from_number: "" };
    expect(nonSecretSettings(fields, values)).toEqual({ base_url: "https://b.example" });
  });

  it("keeps what the edit form does not show, and takes what it does from the form", () => {
    const fields = [field("base_url"), field("api_key", true), field("from_number")];
    const before = { preset: "twilio", base_url: "https://a.example", from_number: "+14155550100", account_sid: "AC1" };
    const values = { base_url: "https://b.example", from_number: "" };
    expect(editedSettings(fields, values, before)).toEqual({ account_sid: "AC1", base_url: "https://b.example" });
  });

  it("takes the field an error is about from the error, not from its wording", () => {
    const fields = [field("base_url"), field("from_number")];
    expect(fieldOfError({ field: "base_url" }, fields)).toBe("base_url");
    // The sentence may quote any setting: only the error's own field counts.
    expect(fieldOfError({ field: null }, fields)).toBe(null);
    expect(fieldOfError({}, fields)).toBe(null);
    // A field this form does not show (a hidden preset) stays below the form.
    expect(fieldOfError({ field: "preset" }, fields)).toBe(null);
  });
});
