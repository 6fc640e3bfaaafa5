// What the Updates card says at each step: check, download, install, restart.
import type { AppError, UpdateOffer, UpdateProgress } from "./bindings";

export type UpdateStep =
  | { step: "idle" }
  | { step: "checking" }
  | { step: "newest"; current: string }
  | { step: "offered"; offer: UpdateOffer }
  | { step: "downloading"; offer: UpdateOffer; progress: UpdateProgress | null }
  | { step: "verified"; offer: UpdateOffer }
  | { step: "installing"; offer: UpdateOffer }
  | { step: "installed"; offer: UpdateOffer }
  | { step: "failed"; error: AppError; offer: UpdateOffer | null };

function megabytes(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}

/** "3.2 MB of 14.8 MB (21 %)", or without the total when the server sent none. */
export function progressText(progress: UpdateProgress | null): string {
  if (!progress) return "Starting the download…";
  if (progress.total === null || progress.total === 0) return `${megabytes(progress.received)} received`;
  const percent = Math.min(100, Math.floor((progress.received / progress.total) * 100));
  return `${megabytes(progress.received)} of ${megabytes(progress.total)} (${percent} %)`;
}

/** The sentence the card shows for a step. */
export function describeStep(state: UpdateStep): string {
  switch (state.step) {
    case "idle":
      return "";
    case "checking":
      return "Checking for updates…";
    case "newest":
      return `Dialtone ${state.current} is the newest version.`;
    case "offered":
      return `Dialtone ${state.offer.version} is available.`;
    case "downloading":
      return `Downloading Dialtone ${state.offer.version}: ${progressText(state.progress)}`;
    case "verified":
      return `Dialtone ${state.offer.version} is downloaded and its signature checks out. Install it when you are ready.`;
    case "installing":
      return `Installing Dialtone ${state.offer.version}…`;
    case "installed":
      return `Dialtone ${state.offer.version} is installed. Restart Dialtone to use it; calls in progress end.`;
    case "failed":
      return state.error.message;
  }
}

/** The publication date as a person reads it ("1 December 2026"); null when unreadable. */
export function publishedOn(date: string | null): string | null {
  if (!date) return null;
  const parsed = new Date(date);
  if (Number.isNaN(parsed.getTime())) return null;
  return parsed.toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
}
