// The page's line back to Dialtone: it posts what happens to its own origin, and
// long-polls for a hang-up pressed in Dialtone's main window. Paths are relative, so
// they stay under the page's one-time path.

import type { Report } from "./session";

export interface Fetcher {
  (input: string, init?: { method?: string; headers?: Record<string, string>; body?: string; keepalive?: boolean }): Promise<{
    ok: boolean;
    json(): Promise<unknown>;
  }>;
}

export class DialtoneLink {
  private closed = false;

  constructor(private fetcher: Fetcher, private beacon: (url: string, body: string) => boolean) {}

  /** Tells Dialtone; `keepalive` lets the last one out while the page closes. */
  send(report: Report): void {
    const body = JSON.stringify(report);
    void this.fetcher("events", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
      keepalive: true,
    }).catch(() => this.beacon("events", body));
  }

  /** The page is closing without hanging up: say so while it still can. */
  closing(): void {
    if (this.closed) return;
    this.closed = true;
    this.beacon("events", JSON.stringify({ event: "left" } satisfies Report));
  }

  /** Polls until Dialtone asks to hang up, then calls `onHangUp` once. A failed poll
   * is retried after a second; each answer is re-polled at once (a timer would be
   * throttled in a background tab). */
  async watch(onHangUp: () => void, pause: () => Promise<void> = () => new Promise((r) => setTimeout(r, 1000))): Promise<void> {
    while (!this.closed) {
      try {
        const answer = await this.fetcher("next");
        if (answer.ok && ((await answer.json()) as { hangUp?: boolean }).hangUp === true) {
          this.closed = true;
          return onHangUp();
        }
        if (!answer.ok) await pause();
      } catch {
        await pause();
      }
    }
  }

  stop(): void {
    this.closed = true;
  }
}
