// How a history row reads: its icon, words and whether its link still works.
import type { CallRecord } from "./bindings";

export interface Outcome {
  icon: string;
  label: string;
  tone: "good" | "bad" | "plain";
  linkValid: boolean;
}

export function describeOutcome(row: CallRecord, nowSeconds: number): Outcome {
  const linkValid = row.link !== null && (row.link_expires_at ?? 0) > nowSeconds;
  switch (row.outcome) {
    case "placed":
      return { icon: "☎", label: "Placed", tone: "good", linkValid };
    case "facetime_link":
      return { icon: "✓", label: linkValid ? "FaceTime link" : "FaceTime link (expired)", tone: "good", linkValid };
    case "live_audio": {
      // Its duration arrives when the audio page ends (how it ended is the row's message).
      const took = row.duration_ms === null ? "" : ` · ${formatDuration(row.duration_ms)}`;
      return { icon: "♪", label: `FaceTime audio${took}`, tone: "good", linkValid };
    }
    case "recorded":
      return { icon: "✎", label: "Recorded in the CRM", tone: "good", linkValid };
    case "cancelled":
      return { icon: "◌", label: "Stopped waiting", tone: "plain", linkValid };
    case "failed":
      return { icon: "✕", label: "Failed", tone: "bad", linkValid };
    case "answered": {
      const arrow = row.direction === "incoming" ? "↙" : "↗";
      const took = row.duration_ms === null ? "" : ` · ${formatDuration(row.duration_ms)}`;
      return { icon: arrow, label: `Answered${took}`, tone: "good", linkValid };
    }
    case "missed":
      return { icon: "↙", label: "Missed", tone: "bad", linkValid };
    case "declined":
      return { icon: "⊘", label: row.direction === "incoming" ? "Declined" : "Declined by the far end", tone: "plain", linkValid };
    case "busy":
      return { icon: "⊘", label: "Busy", tone: "plain", linkValid };
    case "no_answer":
      return { icon: "◌", label: "No answer", tone: "plain", linkValid };
  }
}

/** A call's length as people read it: 0:42, 12:05, 1:02:03. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const [h, m, s] = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
  const two = (n: number) => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${m}:${two(s)}`;
}

/** Whether a row matches what is typed in the filter (any of its words, case-insensitive). */
export function matchesFilter(row: CallRecord, filter: string): boolean {
  const needle = filter.trim().toLowerCase();
  if (needle === "") return true;
  const hay = [row.contact_name, row.target, row.typed, row.provider, row.outcome, row.kind].filter(Boolean).join(" ").toLowerCase();
  return hay.includes(needle);
}
