import type { Random } from "@parley/testkit";
import { type FuzzTargets, generate } from "./routes.js";
import { sendAll } from "./send.js";

export interface FuzzReport {
  /** Responses by status (or transport error code). */
  readonly statuses: Map<string, number>;
  readonly perRoute: Map<string, number>;
  /** 5xx answers and failed requests, each with what to replay. */
  readonly failures: string[];
  readonly ms: number;
}

/**
 * Send `count` generated requests and tally the answers. An over-large body may be cut off by the server's
 * 413 while it is still going out; any other transport error, like any 5xx, is a failure.
 */
export async function fuzz(
  base: string,
  options: { count: number; concurrency: number; bodyLimit: number },
  random: Random,
  targets: FuzzTargets,
): Promise<FuzzReport> {
  const report: FuzzReport = { statuses: new Map(), perRoute: new Map(), failures: [], ms: 0 };
  const started = Date.now();
  await sendAll(
    base,
    options.count,
    options.concurrency,
    () => generate(random, targets),
    (req, outcome, i) => {
      const key = "status" in outcome ? String(outcome.status) : outcome.error;
      report.statuses.set(key, (report.statuses.get(key) ?? 0) + 1);
      report.perRoute.set(req.route, (report.perRoute.get(req.route) ?? 0) + 1);
      const cutOff = (req.body?.length ?? 0) > options.bodyLimit && /EPIPE|ECONNRESET/.test(key);
      if (req.route === "commit" && "status" in outcome && outcome.status === 201) {
        targets.epoch.current = Math.max(
          targets.epoch.current,
          (JSON.parse(outcome.body) as { epoch: number }).epoch,
        );
      }
      const failed = "status" in outcome ? outcome.status >= 500 : !cutOff;
      if (failed)
        report.failures.push(`#${i} ${req.route}: ${req.method} ${req.path.slice(0, 120)} → ${key}`);
    },
  );
  return { ...report, ms: Date.now() - started };
}

export function summary(report: FuzzReport): string {
  const seen = [...report.statuses].sort().map(([k, n]) => `${k}: ${n}`);
  return `${(report.ms / 1000).toFixed(1)} s; ${seen.join(", ")}`;
}
