import { Worker } from "node:worker_threads";
import { type BenchOptions, type BenchReport, type BenchRow, progress } from "@parley/bench";
import pg from "pg";
import { fixture, POSTGRES_URL } from "./support/fixture.js";
import type { LoadJob, LoadResult } from "./support/load.js";
import { rawInsertRate } from "./support/rawInsert.js";

const CONCURRENCY = 64;
const WARMUP = 300;

const percentile = (sorted: Float64Array, p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

/** Run the clients (SSE subscribers and posters) in a worker thread against the server in this one. */
function runLoad(job: LoadJob): Promise<LoadResult> {
  const worker = new Worker(new URL("./support/load.js", import.meta.url), { workerData: job });
  return new Promise<LoadResult>((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`load worker exited (${code}) without a result`)));
  });
}

async function measure(
  backend: "sqlite" | "postgres",
  subscribers: number,
  messages: number,
): Promise<BenchRow[]> {
  progress(`${backend}: ${subscribers} subscribers, ${messages} messages`);
  const f = await fixture(backend, subscribers, WARMUP + messages);
  try {
    const load = await runLoad({
      url: f.url,
      groupId: f.groupId,
      senderToken: f.sender.token,
      subscriberTokens: f.subscribers.map((s) => s.token),
      warmup: f.bodies.slice(0, WARMUP),
      bodies: f.bodies.slice(WARMUP),
      concurrency: CONCURRENCY,
    });
    if (load.delivered < load.expected) {
      progress(`  only ${load.delivered} of ${load.expected} events arrived within 20 s`);
    }
    const raw = await rawInsertRate(f.config, Math.min(5000, messages));
    const c = `${backend}-s${subscribers}`;
    return [
      { case: `${c}-throughput`, unit: "messages/s", better: "higher", ours: load.throughput, peer: raw },
      {
        case: `${c}-p50`,
        unit: "ms",
        better: "lower",
        ours: percentile(load.latencies, 50),
        peer: Number.NaN,
      },
      {
        case: `${c}-p99`,
        unit: "ms",
        better: "lower",
        ours: percentile(load.latencies, 99),
        peer: Number.NaN,
      },
    ];
  } finally {
    await f.close();
  }
}

async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

/** `npm run bench -- server`: accepted messages/s and post→SSE latency, beside the raw insert rate. */
export async function run({ quick }: BenchOptions): Promise<BenchReport> {
  const sizes = quick ? [10, 100] : [10, 100, 1000];
  const messages = quick ? 1000 : 5000;
  const backends: ("sqlite" | "postgres")[] = [
    "sqlite",
    ...((await postgresReachable()) ? (["postgres"] as const) : []),
  ];
  const rows: BenchRow[] = [];
  for (const backend of backends) for (const s of sizes) rows.push(...(await measure(backend, s, messages)));
  return {
    name: "server",
    peer: "raw insert rate (throughput rows only)",
    rows,
    notes: [
      "throughput rows: peer = the same database's single-row INSERTs/s, each committed on its own through the driver, same run (goal ≥ 0.5×)",
      `clients (SSE subscribers and ${CONCURRENCY} posting loops) run in a worker thread; ${WARMUP} warm-up messages are not counted`,
      "latency = post start → event arrival at each subscriber; goals on SQLite with 100 subscribers: ≥ 5,000 messages/s, p99 < 50 ms",
    ],
  };
}
