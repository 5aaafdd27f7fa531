import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import { type BenchOptions, type BenchReport, type BenchRow, progress } from "@parley/bench";
import { type CryptoProvider, defaultCryptoProvider, nodeCryptoProvider } from "@parley/mls";
import { ParleyClient, SqliteStore } from "../src/index.js";

const PASSWORD = "bench password";
const POOL = { lowWater: 3, target: 6 };

type Figures = Map<string, { unit: string; better: "lower" | "higher"; value: number }>;

interface Plan {
  /** Group sizes to build (every member joined), each timed. */
  readonly build: number[];
  /** Builds of each size whose median is reported. */
  readonly buildRuns: number;
  /** Group sizes whose fan-out latency is measured, with this many messages. */
  readonly fanout: number[];
  readonly fanoutMessages: number;
  readonly catchupMessages: number;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
const median = (xs: number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );

/** A server in its own worker thread over a SQLite file in `dir`. */
async function startServer(dir: string) {
  const worker = new Worker(new URL("./support/serverWorker.js", import.meta.url), {
    workerData: join(dir, "server.db"),
  });
  const url = await new Promise<string>((resolve, reject) => {
    worker.once("error", reject);
    worker.once("message", (m: { url: string }) => resolve(m.url));
  });
  return {
    url,
    async stop() {
      const stopped = new Promise((resolve) => worker.once("message", resolve));
      worker.postMessage("stop");
      // Unreferenced: a pending 5 s timer would otherwise keep the process alive after the report.
      await Promise.race([stopped, new Promise((r) => setTimeout(r, 5000).unref())]);
      await worker.terminate();
    },
  };
}

/** Every message event of a set of clients, by text: when each arrived (performance.now()). */
class Arrivals {
  private readonly at = new Map<string, number[]>();
  private readonly waiters = new Map<string, { count: number; resolve: () => void }>();

  watch(client: ParleyClient): () => void {
    return client.on("message", (m) => {
      const now = performance.now();
      let list = this.at.get(m.text);
      if (!list) {
        list = [];
        this.at.set(m.text, list);
      }
      list.push(now);
      const w = this.waiters.get(m.text);
      if (w && list.length >= w.count) {
        this.waiters.delete(m.text);
        w.resolve();
      }
    });
  }

  /** Resolve with the arrival times once `count` clients got `text`. */
  async all(text: string, count: number, timeoutMs = 30_000): Promise<number[]> {
    if ((this.at.get(text)?.length ?? 0) < count) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => this.waiters.set(text, { count, resolve })),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`only ${this.at.get(text)?.length ?? 0} of ${count} got "${text}"`)),
            timeoutMs,
          );
        }),
      ]).finally(() => clearTimeout(timer));
    }
    return this.at.get(text) ?? [];
  }
}

/** Resolve once `client` has joined conversation `id` (processed its Welcome). */
function joined(client: ParleyClient, id: string, timeoutMs = 120_000): Promise<void> {
  if (client.conversationList().some((c) => c.id === id)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`${client.username} did not join within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = client.on("joined", (e) => {
      if (e.conversationId !== id) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

/** Every figure for one MLS crypto provider: a fresh server, fresh accounts, SQLite stores, live clients. */
async function measure(provider: CryptoProvider, label: string, plan: Plan): Promise<Figures> {
  const figures: Figures = new Map();
  const dir = await mkdtemp(join(tmpdir(), "parley-client-bench-"));
  const server = await startServer(dir);
  const clients: ParleyClient[] = [];
  try {
    const open = async (name: string, live: boolean) => {
      const client = await ParleyClient.register({
        serverUrl: server.url,
        username: name,
        password: PASSWORD,
        store: SqliteStore.open(join(dir, `${name}.db`)),
        keyPackagePool: POOL,
        cryptoProvider: provider,
      });
      await client.start({ live });
      if (live) await client.connected();
      clients.push(client);
      return client;
    };
    const size = Math.max(...plan.build, ...plan.fanout);
    progress(`${label}: registering ${size} live clients`);
    // Setup, not measured: ten registrations at a time overlap their waits on the server's and stores' disks.
    const users: ParleyClient[] = [];
    for (let i = 0; i < size; i += 10) {
      const batch = Array.from({ length: Math.min(10, size - i) }, (_, j) => open(`u${i + j}`, true));
      users.push(...(await Promise.all(batch)));
    }
    const creator = users[0] as ParleyClient;

    // build-group-nN: create, claim N−1 key packages, one commit with N−1 Adds; until every member joined.
    const groups = new Map<number, string>();
    for (const n of plan.build) {
      const times: number[] = [];
      for (let run = 0; run < plan.buildRuns; run++) {
        progress(`${label}: build a group of ${n} (${run + 1}/${plan.buildRuns})`);
        const members = users.slice(1, n);
        const t0 = performance.now();
        const id = await creator.createConversation({ members: members.map((m) => m.username) });
        await Promise.all(members.map((m) => joined(m, id)));
        times.push(performance.now() - t0);
        groups.set(n, id);
      }
      figures.set(`build-group-n${n}`, { unit: "ms", better: "lower", value: median(times) });
    }

    // fanout-pXX-nN: send → decrypted (the message event) at each of the N−1 other live members.
    for (const n of plan.fanout) {
      let id = groups.get(n);
      const members = users.slice(1, n);
      if (!id) {
        progress(`${label}: a group of ${n} for fan-out`);
        id = await creator.createConversation({ members: members.map((m) => m.username) });
        await Promise.all(members.map((m) => joined(m, id as string)));
      }
      progress(`${label}: fan-out to ${n - 1} members, ${plan.fanoutMessages} messages`);
      const arrivals = new Arrivals();
      const offs = members.map((m) => arrivals.watch(m));
      const latencies: number[] = [];
      for (let i = 0; i < 10 + plan.fanoutMessages; i++) {
        const text = `n${n} fanout ${i}`;
        const t0 = performance.now();
        await creator.send(id, text);
        const times = await arrivals.all(text, members.length);
        if (i >= 10) for (const t of times) latencies.push(t - t0); // the first 10 warm up
      }
      for (const off of offs) off();
      latencies.sort((a, b) => a - b);
      figures.set(`fanout-p50-n${n}`, { unit: "ms", better: "lower", value: percentile(latencies, 50) });
      figures.set(`fanout-p99-n${n}`, { unit: "ms", better: "lower", value: percentile(latencies, 99) });
    }

    // catchup-throughput: a member offline for K messages reopens its store and syncs.
    progress(`${label}: catch-up of ${plan.catchupMessages} messages`);
    const reader = await open("reader", false);
    const id = await creator.createConversation({ members: ["reader"] });
    await reader.sync();
    await reader.close();
    for (let i = 0; i < plan.catchupMessages; i++) await creator.send(id, `catch-up ${i}`);
    progress(`${label}: reader syncs`);
    const back = await ParleyClient.open({
      store: SqliteStore.open(join(dir, "reader.db")),
      keyPackagePool: POOL,
      cryptoProvider: provider,
    });
    clients.push(back);
    let read = 0;
    back.on("message", () => {
      read++;
    });
    const t0 = performance.now();
    await back.sync();
    const seconds = (performance.now() - t0) / 1000;
    if (read !== plan.catchupMessages)
      throw new Error(`catch-up read ${read} of ${plan.catchupMessages} messages`);
    figures.set("catchup-throughput", { unit: "messages/s", better: "higher", value: read / seconds });
    return figures;
  } finally {
    await Promise.allSettled(clients.map((c) => c.close()));
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * `npm run bench -- client`: the SDK end to end against a real server (in a worker thread) with SQLite stores
 * and live delivery, on Parley's node:crypto MLS provider vs ts-mls's default (WebCrypto) provider.
 */
export async function run({ quick }: BenchOptions): Promise<BenchReport> {
  const plan: Plan = quick
    ? { build: [10], buildRuns: 3, fanout: [10], fanoutMessages: 30, catchupMessages: 150 }
    : { build: [10, 100], buildRuns: 3, fanout: [10, 50], fanoutMessages: 300, catchupMessages: 3000 };
  const ours = await measure(nodeCryptoProvider, "node:crypto provider", plan);
  const peer = await measure(defaultCryptoProvider, "ts-mls default provider", plan);
  const rows: BenchRow[] = [...ours].map(([name, f]) => ({
    case: name,
    unit: f.unit,
    better: f.better,
    ours: f.value,
    peer: peer.get(name)?.value ?? Number.NaN,
  }));
  return {
    name: "client",
    peer: "ts-mls defaultCryptoProvider",
    rows,
    notes: [
      "the same client, server and SQLite stores on both sides; only the MLS crypto provider differs",
      "all clients share this process's main thread (the server has its own worker thread), so N members' joins",
      "  and decryptions run one after another: build and fan-out figures are upper bounds for N separate devices",
      `build-group: create + claim + one commit adding N−1 devices, until every member processed its Welcome (median of ${plan.buildRuns})`,
      `fanout: send() start → message event at each other member, ${plan.fanoutMessages} messages one at a time (after 10 warm-up)`,
      `catchup: a member reopens its store after ${plan.catchupMessages} messages and sync()s (fetch, decrypt, store)`,
    ],
  };
}
