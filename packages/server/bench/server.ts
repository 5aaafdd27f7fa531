import { type BenchOptions, type BenchReport, type BenchRow, progress } from "@parley/bench";
import pg from "pg";
import type { Db } from "../src/storage/db.js";
import { fixture, POSTGRES_URL } from "./fixture.js";

const CONCURRENCY = 64;

/** Rows/s of single-row committed inserts into a scratch table: the database's own ceiling here. */
async function rawInsertRate(db: Db, count: number): Promise<number> {
  await db.run("CREATE TABLE IF NOT EXISTS bench_raw (id INTEGER PRIMARY KEY, data TEXT)");
  const payload = "x".repeat(300);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) {
        const id = next++;
        await db.transaction(async (tx) => {
          await tx.run("INSERT INTO bench_raw (id, data) VALUES (?, ?)", [id, payload]);
        });
      }
    }),
  );
  return count / ((performance.now() - started) / 1000);
}

/** Subscribe every member to SSE and record when each message event arrives. */
async function subscribe(url: string, tokens: string[], arrivals: number[][]): Promise<AbortController> {
  const controller = new AbortController();
  let connected = 0;
  await new Promise<void>((resolve, reject) => {
    for (const token of tokens) {
      fetch(`${url}/v1/events`, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal })
        .then(async (response) => {
          const reader = response.body;
          if (!reader) throw new Error("no SSE body");
          let buffer = "";
          let first = true;
          for await (const chunk of reader) {
            if (first) {
              first = false;
              if (++connected === tokens.length) resolve();
            }
            buffer += Buffer.from(chunk as Uint8Array).toString();
            for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
              const block = buffer.slice(0, end);
              buffer = buffer.slice(end + 2);
              const data = block.split("\n").find((l) => l.startsWith("data: "));
              if (block.includes("event: message") && data) {
                const seq = (JSON.parse(data.slice(6)) as { seq: number }).seq;
                const list = arrivals[seq] ?? [];
                list.push(performance.now());
                arrivals[seq] = list;
              }
            }
          }
        })
        .catch((err) => {
          if (!controller.signal.aborted) reject(err);
        });
    }
  });
  return controller;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

async function measure(
  backend: "sqlite" | "postgres",
  subscribers: number,
  messages: number,
): Promise<BenchRow[]> {
  progress(`${backend}: ${subscribers} subscribers, ${messages} messages`);
  const f = await fixture(backend, subscribers, messages);
  try {
    const arrivals: number[][] = [];
    const controller = await subscribe(
      f.url,
      f.subscribers.map((s) => s.token),
      arrivals,
    );
    const sentAt: number[] = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < f.bodies.length) {
          const body = f.bodies[next++] as Uint8Array;
          const t = performance.now();
          const r = await fetch(`${f.url}/v1/groups/${f.groupId}/messages`, {
            method: "POST",
            headers: { authorization: `Bearer ${f.sender.token}`, "content-type": "message/mls" },
            body,
          });
          const { seq } = (await r.json()) as { seq: number };
          sentAt[seq] = t;
        }
      }),
    );
    const throughput = f.bodies.length / ((performance.now() - started) / 1000);
    // Let the last events arrive.
    const deadline = Date.now() + 10_000;
    while (
      Date.now() < deadline &&
      arrivals.reduce((n, a) => n + (a?.length ?? 0), 0) < messages * subscribers
    ) {
      await new Promise((r) => setTimeout(r, 50));
    }
    controller.abort();
    const latencies: number[] = [];
    for (const [seq, times] of arrivals.entries())
      for (const t of times ?? []) latencies.push(t - (sentAt[seq] ?? t));
    latencies.sort((a, b) => a - b);
    const raw = await rawInsertRate(f.db, Math.min(2000, messages));
    const c = `${backend}-s${subscribers}`;
    return [
      { case: `${c}-throughput`, unit: "messages/s", better: "higher", ours: throughput, peer: raw },
      { case: `${c}-p50`, unit: "ms", better: "lower", ours: percentile(latencies, 50), peer: Number.NaN },
      { case: `${c}-p99`, unit: "ms", better: "lower", ours: percentile(latencies, 99), peer: Number.NaN },
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
  const messages = quick ? 200 : 3000;
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
      "throughput rows: peer = the same database's single-row committed inserts/s in the same run (goal ≥ 0.5×)",
      "latency rows have no peer (NaN); goals on SQLite with 100 subscribers: ≥ 5,000 messages/s, p99 < 50 ms",
    ],
  };
}
