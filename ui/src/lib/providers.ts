// Helpers for the provider forms, which are drawn from each kind's schema.
import type { Field, KindInfo } from "./bindings";

/** The id a kind is chosen by: a ready definition's name (`twilio`) or the kind (`blooio`). */
export function kindId(kind: Pick<KindInfo, "kind" | "preset">): string {
  return kind.preset ?? kind.kind;
}

/** The settings to save: non-secret fields the person filled in, trimmed. Secrets never. */
export function nonSecretSettings(fields: Field[], values: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const field of fields) {
    if (field.secret) continue;
    const value = (values[field.name] ?? "").trim();
    if (value !== "") out[field.name] = value;
  }
  return out;
}

/** The setting an error is about, when its message names one (`base_url`), so the form can show it beside that field. */
export function fieldOfError(message: string, fields: Pick<Field, "name">[]): string | null {
  for (const match of message.matchAll(/`([a-z0-9_]+)`/g)) {
    if (fields.some((f) => f.name === match[1])) return match[1];
  }
  return null;
}
