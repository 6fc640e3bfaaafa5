// Sound in the window: which keys sound, what the engine's reports say, and how a
// level in dBFS becomes the width of a meter.

import type { EchoReport, EngineEvent } from "./bindings";

// The engine's reports and their event's name are generated from the Rust types
// (src-tauri/src/page.rs, dialtone_audio::engine::EngineEvent): nothing here repeats them.
import { PAGE_EVENTS } from "./bindings";

export const AUDIO_EVENT = PAGE_EVENTS.audio;
export type { EchoReport, JitterStats } from "./bindings";
export type AudioEvent = EngineEvent;

/** Reads an event's detail, or null for something that is not one of ours. */
export function readAudioEvent(detail: unknown): AudioEvent | null {
  if (typeof detail !== "object" || detail === null) return null;
  const d = detail as Record<string, unknown>;
  switch (d.kind) {
    case "level":
      return typeof d.dbfs === "number" ? { kind: "level", dbfs: d.dbfs } : null;
    case "notice":
    case "echo_failed":
      return typeof d.message === "string" ? { kind: d.kind, message: d.message } : null;
    case "echo_progress":
      return typeof d.elapsed_ms === "number" && typeof d.level_dbfs === "number" ? (d as unknown as AudioEvent) : null;
    case "echo_done":
      // The report's fields sit beside `kind` (serde's internally tagged enum).
      return typeof d.packets_sent === "number" ? (d as unknown as AudioEvent) : null;
    default:
      return null;
  }
}

/** Whether a key typed on the dialpad has a DTMF tone (`+` has none). */
export function hasTone(key: string): boolean {
  return /^[0-9*#A-D]$/.test(key);
}

/** The meter's floor: anything quieter shows as empty. */
export const METER_FLOOR_DBFS = -60;

/** A level in dBFS as a percentage of the meter's width (-60 dBFS → 0, 0 dBFS → 100). */
export function meterPercent(dbfs: number): number {
  if (!Number.isFinite(dbfs)) return 0;
  const clamped = Math.min(0, Math.max(METER_FLOOR_DBFS, dbfs));
  return Math.round(((clamped - METER_FLOOR_DBFS) / -METER_FLOOR_DBFS) * 100);
}

/** One sentence on how the echo test went. */
export function describeEcho(report: EchoReport): string {
  const j = report.jitter;
  if (report.packets_sent === 0) return "Nothing was heard from the microphone.";
  const repaired = j.recovered + j.concealed;
  const parts = [`${report.packets_sent} packets of 20 ms sent, ${j.played} played back`];
  if (report.network_lost > 0) parts.push(`${report.network_lost} lost on the way`);
  if (repaired > 0) parts.push(`${repaired} repaired by the jitter buffer`);
  parts.push(`buffer ${j.target_ms} ms`);
  return (report.stopped ? "Stopped: " : "") + parts.join(", ") + ".";
}
