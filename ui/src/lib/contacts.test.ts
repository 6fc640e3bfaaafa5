import { describe, expect, it } from "vitest";
import type { ProviderView } from "./bindings";
import { blankContact, cleanContact, providersFor } from "./contacts";

const provider = (name: string, kind: ProviderView["kind"], email = false): ProviderView => ({
  name,
  kind,
  label: kind,
  settings: {},
  secrets: [],
  is_default: false,
  keychain_error: null,
  notice: null,
  accepts: { email, sip_uri: false },
});

describe("contacts", () => {
  it("drops empty rows and trims what is saved", () => {
    const draft = { ...blankContact(), name: "  Ada  ", emails: [{ label: "", address: " " }] };
    const saved = cleanContact(draft);
    expect(saved.name).toBe("Ada");
    expect(saved.phones).toEqual([]);
    expect(saved.emails).toEqual([]);
  });

  it("offers the providers whose kind accepts email for emails, every provider for numbers", () => {
    const all = [provider("fax", "bandwidth"), provider("ft", "blooio", true), provider("sb", "sendblue")];
    expect(providersFor("ada@example.com", all).map((p) => p.name)).toEqual(["ft"]);
    expect(providersFor("+14155550123", all).map((p) => p.name)).toEqual(["fax", "ft", "sb"]);
  });
});
