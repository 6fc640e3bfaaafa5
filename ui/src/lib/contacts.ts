// Contact forms and which providers can call which address.
import type { NewContact, ProviderView } from "./bindings";

export function blankContact(): NewContact {
  return {
    uid: null,
    name: "",
    organization: "",
    notes: "",
    favourite: false,
    preferred_provider: null,
    phones: [{ label: "cell", number: "", preferred: false }],
    emails: [],
  };
}

/** The contact as saved: empty numbers and emails dropped, text trimmed. */
export function cleanContact(draft: NewContact): NewContact {
  return {
    ...draft,
    name: draft.name.trim(),
    organization: draft.organization.trim(),
    phones: draft.phones.filter((p) => p.number.trim() !== "").map((p) => ({ ...p, number: p.number.trim(), label: p.label.trim() })),
    emails: draft.emails.filter((e) => e.address.trim() !== "").map((e) => ({ ...e, address: e.address.trim(), label: e.label.trim() })),
  };
}

/** The providers that can call a phone number, or an email address: as each kind's descriptor says. */
export function providersFor<P extends Pick<ProviderView, "accepts">>(address: string, providers: P[]): P[] {
  const isEmail = address.includes("@");
  return providers.filter((p) => !isEmail || p.accepts.email);
}
