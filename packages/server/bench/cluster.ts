import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { Agent } from "node:http";
import type { AddressInfo } from "node:net";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type BenchGoal, type BenchOptions, type BenchReport, type BenchRow, progress } from "@parley/bench";
import { createKeyPackage, generateSignatureKeyPair, loadSuite, MlsGroup } from "@parley/mls";
import pg from "pg";
import { deviceIdOf, newToken } from "../src/auth/tokens.js";
import { buildServer, DEFAULT_CONFIG, openStore, type ServerConfig } from "../src/index.js";
import { POSTGRES_URL } from "./support/fixture.js";
import { openEventStream, postMessage } from "./support/http.js";
import { rawInsertRate } from "./support/rawInsert.js";

const SUBSCRIBERS = 100;
const CONCURRENCY = 64;
const WARMUP = 200;
const WAIT_MS = 30_000;

/** The goals: one instance at half the raw insert rate, p99 under 50 ms. */
const HALF_RAW: BenchGoal = { op: ">=", value: 0.5, against: "peer-ratio" };
const P99: BenchGoal = { op: "<", value: 50, against: "absolute" };
/** With three instances, the aggregate rate no lower than one instance's (peer = one instance's). */
const NO_LOWER: BenchGoal = { op: ">=", value: 1, against: "peer-ratio" };
/** Cross-instance delivery adds under 10 ms at p50 (over a subscriber on the posting instance). */
const CROSS_ADDS: BenchGoal = { op: "<", value: 10, against: "absolute" };

/** Settings of every instance: no rate or backlog limit in the way of the load. */
function instanceConfig(schema: string): ServerConfig {
  return {
    ...DEFAULT_CONFIG,
    port: 0,
    logLevel: "silent",
    databaseUrl: POSTGRES_URL,
    databaseSchema: schema,
    limits: { ...DEFAULT_CONFIG.limits, requestsPerMinute: 10_000_000, sseBacklogBytes: 64 * 1024 * 1024 },
  };
}

/** Run as a child process (`node cluster.js instance SCHEMA`): one instance, its URL on stdout. */
async function serveInstance(schema: string): Promise<void> {
  const config = instanceConfig(schema);
  const store = await openStore(config);
  const app = await buildServer(store, config);
  await app.listen({ port: 0, host: "127.0.0.1" });
  process.stdout.write(`listening ${(app.server.address() as AddressInfo).port}\n`);
}

interface Instance {
  readonly url: string;
  readonly child: ChildProcess;
}

async function startInstance(schema: string): Promise<Instance> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), "instance", schema], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const exited = once(child, "exit").then(() => {
    throw new Error("a bench instance exited before listening");
  });
  const port = await Promise.race([
    new Promise<string>((resolve) =>
      lines.on("line", (line) => {
        const found = /^listening (\d+)$/.exec(line);
        if (found) resolve(found[1] as string);
      }),
    ),
    exited,
  ]);
  return { url: `http://127.0.0.1:${port}`, child };
}

/** Accounts, devices, sessions, `groups` groups each with the sender and every subscriber, straight in SQL. */
async function seed(pool: pg.Pool, groupIds: string[], senderKey: Uint8Array) {
  const devices = [
    { key: senderKey, ...newToken() },
    ...Array.from({ length: SUBSCRIBERS }, (_, i) => ({
      key: new TextEncoder().encode(`key of member ${i}`),
      ...newToken(),
    })),
  ].map((d, i) => ({ ...d, id: deviceIdOf(d.key), account: `account-${i}` }));
  const now = Date.now();
  const column = <T>(f: (d: (typeof devices)[number]) => T) => devices.map(f);
  await pool.query(
    `INSERT INTO accounts (id, username, password_hash, created_at)
     SELECT a, 'user-' || a, 'unused', $2 FROM unnest($1::text[]) a`,
    [column((d) => d.account), now],
  );
  await pool.query(
    `INSERT INTO devices (id, account_id, signature_key, created_at)
     SELECT * , $4::bigint FROM unnest($1::text[], $2::text[], $3::bytea[])`,
    [column((d) => d.id), column((d) => d.account), column((d) => Buffer.from(d.key)), now],
  );
  await pool.query(
    `INSERT INTO sessions (token_hash, device_id, account_id, expires_at)
     SELECT *, $4::bigint FROM unnest($1::text[], $2::text[], $3::text[])`,
    [column((d) => d.hash), column((d) => d.id), column((d) => d.account), now + 3600_000],
  );
  await pool.query(
    "INSERT INTO groups (id, epoch, next_seq, created_at) SELECT g, 0, 1, $2 FROM unnest($1::text[]) g",
    [groupIds, now],
  );
  await pool.query(
    `INSERT INTO group_members (group_id, device_id, joined_seq)
     SELECT g, d, 0 FROM unnest($1::text[]) g CROSS JOIN unnest($2::text[]) d`,
    [groupIds, column((d) => d.id)],
  );
  return { sender: devices[0] as (typeof devices)[number], subscribers: devices.slice(1) };
}

/** `count` application messages spread round-robin over `groups` groups of one sender. */
async function messagesFor(groups: number, count: number) {
  const suite = await loadSuite(1);
  const keys = await generateSignatureKeyPair(suite);
  const identity = new TextEncoder().encode("sender");
  const states: MlsGroup[] = [];
  for (let g = 0; g < groups; g++)
    states.push(
      await MlsGroup.create(suite, await createKeyPackage(suite, { identity, signatureKeyPair: keys })),
    );
  const groupIds = states.map((s) => Buffer.from(s.groupId).toString("base64url"));
  const bodies: { groupId: string; body: Uint8Array }[] = [];
  for (let i = 0; i < count; i++) {
    const g = i % groups;
    const m = await (states[g] as MlsGroup).encrypt(new Uint8Array(100).fill(i & 0xff));
    states[g] = m.group;
    bodies.push({ groupId: groupIds[g] as string, body: m.message });
  }
  return { senderKey: keys.publicKey, groupIds, bodies };
}

const now = () => performance.timeOrigin + performance.now();

/** The subscribers' streams: when each (group, seq) arrived, and whether on the instance it was posted to. */
function subscribe(agent: Agent, instances: readonly Instance[], tokens: readonly string[]) {
  const arrivals: { key: string; at: number; instance: number }[] = [];
  const connect = (token: string, instance: number) =>
    openEventStream(agent, new URL((instances[instance] as Instance).url), token, now, (groupId, seq, at) =>
      arrivals.push({ key: `${groupId} ${seq}`, at, instance }),
    );
  return {
    arrivals,
    connected: Promise.all(tokens.map((t, i) => connect(t, i % instances.length))),
  };
}

/** Post every body, CONCURRENCY at a time, loop i posting to instance i mod n: when each was sent, and where. */
async function post(
  agent: Agent,
  instances: readonly Instance[],
  token: string,
  bodies: readonly { groupId: string; body: Uint8Array }[],
) {
  const sent = new Map<string, { at: number; instance: number }>();
  let next = 0;
  const one = (instance: number, groupId: string, body: Uint8Array) =>
    postMessage(agent, new URL((instances[instance] as Instance).url), token, groupId, body);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, loop) => {
      const instance = loop % instances.length;
      while (next < bodies.length) {
        const { groupId, body } = bodies[next++] as { groupId: string; body: Uint8Array };
        const at = now();
        sent.set(`${groupId} ${await one(instance, groupId, body)}`, { at, instance });
      }
    }),
  );
  return { seconds: (performance.now() - started) / 1000, sent };
}

const percentile = (values: number[], p: number) => {
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  return check();
}

interface Measured {
  readonly rate: number;
  readonly p50: number;
  readonly p99: number;
  /** p50 of deliveries to a subscriber on another instance than the post's, minus on the same one. */
  readonly crossAdds: number;
}

/** `instances` instances on a fresh schema, 100 subscribers spread over them, `groups` groups. */
async function measure(
  instances: number,
  groups: number,
  messages: number,
  raw: { rate?: number; inserts: number },
) {
  progress(`${instances} instance(s), ${groups} groups, ${messages} messages`);
  const schema = `parley_bench_cluster_${process.pid}_${Date.now()}`;
  const { senderKey, groupIds, bodies } = await messagesFor(groups, WARMUP + messages);
  const nodes = [await startInstance(schema)];
  for (let i = 1; i < instances; i++) nodes.push(await startInstance(schema));
  const pool = new pg.Pool({ connectionString: POSTGRES_URL, options: `-c search_path=${schema}` });
  const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
  try {
    const { sender, subscribers } = await seed(pool, groupIds, senderKey);
    const streams = subscribe(
      agent,
      nodes,
      subscribers.map((s) => s.token),
    );
    await streams.connected;
    const round = async (part: typeof bodies) => {
      streams.arrivals.length = 0;
      const posted = await post(agent, nodes, sender.token, part);
      const expected = part.length * SUBSCRIBERS;
      if (!(await until(() => streams.arrivals.length >= expected, WAIT_MS)))
        progress(`  only ${streams.arrivals.length} of ${expected} events arrived`);
      return posted;
    };
    await round(bodies.slice(0, WARMUP));
    const posted = await round(bodies.slice(WARMUP));
    const same: number[] = [];
    const cross: number[] = [];
    for (const a of streams.arrivals) {
      const s = posted.sent.get(a.key);
      if (s) (s.instance === a.instance ? same : cross).push(a.at - s.at);
    }
    if (raw.rate === undefined) {
      progress(`  raw insert rate, ${raw.inserts} inserts`);
      raw.rate = await rawInsertRate(instanceConfig(schema), raw.inserts);
    }
    return {
      rate: messages / posted.seconds,
      p50: percentile([...same, ...cross], 50),
      p99: percentile([...same, ...cross], 99),
      crossAdds: cross.length > 0 ? percentile(cross, 50) - percentile(same, 50) : Number.NaN,
    } satisfies Measured;
  } finally {
    agent.destroy();
    for (const n of nodes) {
      n.child.kill("SIGKILL");
      await once(n.child, "exit").catch(() => undefined);
    }
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await pool.end();
  }
}

function rows(instances: number, groups: number, m: Measured, raw: number, single?: Measured): BenchRow[] {
  const c = `i${instances}-g${groups}`;
  const result: BenchRow[] = [
    {
      case: `${c}-throughput`,
      unit: "messages/s",
      better: "higher",
      ours: m.rate,
      peer: raw,
      ...(instances === 1 ? { goals: [HALF_RAW] } : {}),
    },
    { case: `${c}-p50`, unit: "ms", better: "lower", ours: m.p50, peer: Number.NaN },
    {
      case: `${c}-p99`,
      unit: "ms",
      better: "lower",
      ours: m.p99,
      peer: Number.NaN,
      ...(instances === 1 ? { goals: [P99] } : {}),
    },
  ];
  if (instances > 1) {
    result.push({
      case: `${c}-cross-instance-p50-added`,
      unit: "ms",
      better: "lower",
      ours: m.crossAdds,
      peer: Number.NaN,
      goals: [CROSS_ADDS],
    });
  }
  if (instances === 3 && single) {
    result.push({
      case: `${c}-throughput-vs-one-instance`,
      unit: "messages/s",
      better: "higher",
      ours: m.rate,
      peer: single.rate,
      goals: [NO_LOWER],
    });
  }
  return result;
}

/** `npm run bench -- cluster`: 1, 2 and 3 instances on one PostgreSQL database, 100 subscribers spread over them. */
export async function run({ quick }: BenchOptions): Promise<BenchReport> {
  const messages = quick ? 600 : 3000;
  const raw: { rate?: number; inserts: number } = { inserts: quick ? 1000 : 5000 };
  const out: BenchRow[] = [];
  for (const groups of [10, 100]) {
    let single: Measured | undefined;
    for (const instances of [1, 2, 3]) {
      const m = await measure(instances, groups, messages, raw);
      if (instances === 1) single = m;
      out.push(...rows(instances, groups, m, raw.rate ?? Number.NaN, single));
    }
  }
  return {
    name: "cluster",
    peer: "raw PostgreSQL inserts/s (-vs-one-instance: 1 instance)",
    rows: out,
    notes: [
      "instances are child processes on one fresh schema each run; the clients (100 SSE subscribers, spread round-robin, and 64 posting loops, loop i posting to instance i mod n) run in the bench's own thread",
      `every subscriber is a member of every group (100 deliveries a message); messages go round-robin over the groups; ${WARMUP} warm-up messages are not counted`,
      "latency = post start → event arrival; cross-instance-p50-added = p50 to subscribers on other instances than the post's minus p50 on the same one",
      "all instances, PostgreSQL and the clients share this machine's cores",
    ],
  };
}

if (process.argv[2] === "instance" && import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await serveInstance(process.argv[3] as string);
}
