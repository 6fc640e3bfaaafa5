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
