// Helpers for the provider forms, which are drawn from each kind's schema.
import type { AppError, Field, KindInfo } from "./bindings";

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

/**
 * The settings to save when changing a provider: the form's fields as the person left
 * them, and every setting the form does not show (an `http` definition's own
 * variables) kept as it was, so editing loses nothing. `preset` is sent as the kind.
 */
export function editedSettings(
  fields: Field[],
  values: Record<string, string>,
  before: Partial<Record<string, string>>,
): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [key, value] of Object.entries(before)) {
    if (value !== undefined && key !== "preset" && !fields.some((f) => f.name === key)) kept[key] = value;
  }
  return { ...kept, ...nonSecretSettings(fields, values) };
}

/** The setting an error is about (`base_url`), when it is one the form shows, so the message goes beside that field. */
export function fieldOfError(error: Pick<AppError, "field">, fields: Pick<Field, "name">[]): string | null {
  const field = error.field ?? null;
  return field !== null && fields.some((f) => f.name === field) ? field : null;
}
