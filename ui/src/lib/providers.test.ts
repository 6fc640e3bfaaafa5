import { describe, expect, it } from "vitest";
import type { Field } from "./bindings";
import { fieldOfError, kindId, nonSecretSettings } from "./providers";

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

  it("finds the field an error is about", () => {
    const fields = [field("base_url"), field("from_number")];
    expect(fieldOfError("Base URL (`base_url`) must be an http:// or https:// address; got “ftp://x”.", fields)).toBe("base_url");
    expect(fieldOfError("A provider called “work” exists already", fields)).toBe(null);
  });
});
