// What the dialpad's keys are and what typing into the number field keeps.

export interface DialKey {
  digit: string;
  letters: string;
}

export const KEYS: readonly DialKey[] = [
  { digit: "1", letters: "" },
  { digit: "2", letters: "ABC" },
  { digit: "3", letters: "DEF" },
  { digit: "4", letters: "GHI" },
  { digit: "5", letters: "JKL" },
  { digit: "6", letters: "MNO" },
  { digit: "7", letters: "PQRS" },
  { digit: "8", letters: "TUV" },
  { digit: "9", letters: "WXYZ" },
  { digit: "*", letters: "" },
  { digit: "0", letters: "+" },
  { digit: "#", letters: "" },
];

/** Whether a key typed on the keyboard belongs in a number. */
export function isDialChar(ch: string): boolean {
  return /^[0-9*#+]$/.test(ch);
}

/**
 * What to keep of pasted text: digits, *, # and a leading +; a `tel:` prefix and
 * formatting (spaces, dashes, dots, brackets) are dropped.
 */
export function cleanPasted(text: string): string {
  const body = text.trim().replace(/^tel:/i, "");
  const kept = [...body].filter(isDialChar).join("");
  const plus = kept.startsWith("+") ? "+" : "";
  return plus + kept.replace(/\+/g, "");
}

/**
 * What a link from outside puts on the dialpad: a tel: or callto: number as digits;
 * anything else (facetime:ada@example.com, sip:...) as it came, for the providers to read.
 */
export function linkToDial(link: string): string {
  const text = link.trim();
  const scheme = text.slice(0, text.indexOf(":") + 1).toLowerCase();
  const body = text.slice(scheme.length).replace(/^\/\//, "");
  if ((scheme === "tel:" || scheme === "callto:") && !body.includes("@")) return cleanPasted(body);
  if ((scheme === "facetime:" || scheme === "facetime-audio:") && /^[+\d\s().-]+$/.test(body)) return cleanPasted(body);
  return text;
}
