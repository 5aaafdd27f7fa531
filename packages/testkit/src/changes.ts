/** How long a wait may take before the test counts as stuck: only a genuinely stuck test gets this far. */
export const WAIT_TIMEOUT_MS = 60_000;

export interface WaitOptions {
  timeoutMs?: number;
  /** The state seen, for the message if the wait times out. */
  state?: () => string;
}

/**
 * Waits on conditions without polling. Whatever changes the state tests look at (a message handled, a frame
 * received, a connection closed, a log line) calls `notify()`; every pending `until` then re-checks its
 * condition once, on the next turn of the event loop, after the code that notified has run to the end.
 */
export class Changes {
  private readonly waiters = new Set<() => void>();
  private scheduled = false;

  notify(): void {
    if (this.scheduled || this.waiters.size === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      for (const recheck of [...this.waiters]) recheck();
    });
  }

  /** Resolve once `check()` holds; reject if it throws or after the timeout, saying what was awaited. */
  until(check: () => boolean, what: string, options: WaitOptions = {}): Promise<void> {
    if (check()) return Promise.resolve();
    const timeoutMs = options.timeoutMs ?? WAIT_TIMEOUT_MS;
    return new Promise((resolve, reject) => {
      const finish = (error?: unknown) => {
        clearTimeout(timer);
        this.waiters.delete(recheck);
        if (error === undefined) resolve();
        else reject(error);
      };
      const recheck = () => {
        try {
          if (check()) finish();
        } catch (err) {
          finish(err);
        }
      };
      const timer = setTimeout(() => {
        const state = options.state ? `; state: ${options.state()}` : "";
        finish(new Error(`timed out after ${timeoutMs} ms waiting for ${what}${state}`));
      }, timeoutMs);
      this.waiters.add(recheck);
    });
  }
}
