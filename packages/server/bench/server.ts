import { Worker } from "node:worker_threads";
import { type BenchGoal, type BenchOptions, type BenchReport, type BenchRow, progress } from "@parley/bench";
import pg from "pg";
import { fixture, POSTGRES_URL } from "./support/fixture.js";
import type { LoadCommand, LoadJob, LoadReport } from "./support/load.js";
import { rawInsertRate } from "./support/rawInsert.js";

const CONCURRENCY = 64;
const WARMUP = 300;

/** At least half the database's raw insert rate, on every backend and size. */
const HALF_RAW_INSERTS: BenchGoal = { op: ">=", value: 0.5, against: "peer-ratio" };

/** The goals stated for SQLite with 100 subscribers. */
const SQLITE_S100: Record<string, BenchGoal[]> = {
  "sqlite-s100-throughput": [{ op: ">=", value: 5000, against: "absolute" }, HALF_RAW_INSERTS],
  "sqlite-s100-p99": [{ op: "<", value: 50, against: "absolute" }],
};

const percentile = (sorted: Float64Array, p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

/** A client worker (see support/load.ts) and a way to wait for its next report of a kind. */
async function startWorker(job: LoadJob) {
  const worker = new Worker(new URL("./support/load.js", import.meta.url), { workerData: job });
  const failed = new Promise<never>((_, reject) => {
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`load worker exited (${code})`)));
  });
  const next = <K extends LoadReport["kind"]>(kind: K) =>
    Promise.race([
      failed,
      new Promise<Extract<LoadReport, { kind: K }>>((resolve) => {
        const on = (r: LoadReport) => {
          if (r.kind !== kind) return;
          worker.off("message", on);
          resolve(r as Extract<LoadReport, { kind: K }>);
        };
        worker.on("message", on);
      }),
    ]);
  await next("ready");
  return {
    next,
    send: (command: LoadCommand) => worker.postMessage(command),
    stop: () => worker.terminate(),
  };
}

async function measure(
  backend: "sqlite" | "postgres",
  subscribers: number,
  messages: number,
  rawInserts: number,
): Promise<BenchRow[]> {
  progress(`${backend}: ${subscribers} subscribers, ${messages} messages`);
  const f = await fixture(backend, subscribers, WARMUP + messages);
  const listeners = await startWorker({
    role: "subscribe",
    url: f.url,
    tokens: f.subscribers.map((s) => s.token),
  });
  const posters = await startWorker({
    role: "post",
    url: f.url,
    groupId: f.groupId,
    token: f.sender.token,
    concurrency: CONCURRENCY,
  });
  try {
    const round = async (bodies: Uint8Array[]) => {
      posters.send({ kind: "post", bodies });
      const posted = await posters.next("posted");
      listeners.send({ kind: "await", count: bodies.length * subscribers, timeoutMs: 20_000 });
      return { posted, arrived: await listeners.next("arrived") };
    };
    progress(`  ${WARMUP} warm-up messages`);
    await round(f.bodies.slice(0, WARMUP));
    listeners.send({ kind: "reset" });
    progress(`  ${messages} measured messages`);
    const { posted, arrived } = await round(f.bodies.slice(WARMUP));
    const expected = messages * subscribers;
    if (arrived.delivered < expected)
      progress(`  only ${arrived.delivered} of ${expected} events arrived within 20 s`);
    const latencies: number[] = [];
    for (const [seq, times] of arrived.arrivals) {
      const sent = posted.sentAt.get(seq);
      if (sent !== undefined) for (const t of times) latencies.push(t - sent);
    }
    const sorted = Float64Array.from(latencies).sort();
    progress(`  raw insert rate, ${rawInserts} inserts`);
    const raw = await rawInsertRate(f.config, rawInserts);
    const c = `${backend}-s${subscribers}`;
    const rows: BenchRow[] = [
      {
        case: `${c}-throughput`,
        unit: "messages/s",
        better: "higher",
        ours: messages / posted.seconds,
        peer: raw,
      },
      { case: `${c}-p50`, unit: "ms", better: "lower", ours: percentile(sorted, 50), peer: Number.NaN },
      { case: `${c}-p99`, unit: "ms", better: "lower", ours: percentile(sorted, 99), peer: Number.NaN },
    ];
    return rows.map((r) => ({
      ...r,
      goals: SQLITE_S100[r.case] ?? (r.case.endsWith("-throughput") ? [HALF_RAW_INSERTS] : undefined),
    }));
  } finally {
    await Promise.all([listeners.stop(), posters.stop()]);
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
  // The 300 warm-up messages come first and are not counted, so 2,000 are all steady state.
  const messages = quick ? 2000 : 5000;
  // SQLite's raw rate is one fsync per insert: a slow disk makes thousands of them the longest step.
  const rawInserts = quick ? 500 : 5000;
  const backends: ("sqlite" | "postgres")[] = [
    "sqlite",
    ...((await postgresReachable()) ? (["postgres"] as const) : []),
  ];
  const rows: BenchRow[] = [];
  for (const backend of backends)
    for (const s of sizes) rows.push(...(await measure(backend, s, messages, rawInserts)));
  return {
    name: "server",
    peer: "raw insert rate (throughput rows only)",
    rows,
    notes: [
      "throughput rows: peer = the same database's single-row INSERTs/s, each committed on its own through the driver, same run",
      `clients run in two worker threads (the SSE subscribers; ${CONCURRENCY} posting loops); ${WARMUP} warm-up messages are not counted`,
      "latency = post start → event arrival at each subscriber",
    ],
  };
}
