import { randomBytes, randomInt } from "node:crypto";

const FRAME_INTERVAL_MS = 20;

export interface FrameCounts {
  sent: number;
  heldBack: number;
}

/**
 * The synthetic audio source: a 60–120-byte Opus-sized frame every 20 ms (50/s). `send` says whether a frame
 * went out; one that cannot (no E2EE group to encrypt to yet) is held back and dropped, as a live microphone's
 * would be. Both count toward `limit`, so a run with a frame limit ends even for a member alone in the call.
 */
export class SyntheticSource {
  readonly total: FrameCounts = { sent: 0, heldBack: 0 };
  private second: FrameCounts = { sent: 0, heldBack: 0 };
  private readonly timer: NodeJS.Timeout;

  constructor(
    send: (frame: Uint8Array) => boolean,
    private readonly limit: number,
    onLimit: () => void,
  ) {
    const start = performance.now();
    this.timer = setInterval(() => {
      // Timers run late under load; a microphone does not, so the frames that came due meanwhile are made now.
      const due = Math.min(Math.floor((performance.now() - start) / FRAME_INTERVAL_MS), this.limit);
      while (this.produced < due) this.produce(send);
      if (this.produced >= this.limit) {
        this.stop();
        onLimit();
      }
    }, FRAME_INTERVAL_MS);
  }

  private produce(send: (frame: Uint8Array) => boolean): void {
    const key = send(randomBytes(60 + randomInt(61))) ? "sent" : "heldBack";
    this.total[key]++;
    this.second[key]++;
  }

  get produced(): number {
    return this.total.sent + this.total.heldBack;
  }

  /** The counts since the last call. */
  takeSecond(): FrameCounts {
    const second = this.second;
    this.second = { sent: 0, heldBack: 0 };
    return second;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
