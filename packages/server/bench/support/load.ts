// The benchmark's clients, in a worker thread so the server keeps its own thread: `subscribers` SSE streams
// and CONCURRENCY posting loops. It posts a warm-up, then the measured messages, and reports the accepted
// rate and each message's post→SSE latency as every subscriber saw it.
import { Agent, request } from "node:http";
import { parentPort, workerData } from "node:worker_threads";

export interface LoadJob {
  readonly url: string;
  readonly groupId: string;
  readonly senderToken: string;
  readonly subscriberTokens: readonly string[];
  readonly warmup: readonly Uint8Array[];
  readonly bodies: readonly Uint8Array[];
  readonly concurrency: number;
}

export interface LoadResult {
  /** Accepted messages per second over the measured posts. */
  readonly throughput: number;
  /** Post start → event arrival, in ms, one per (message, subscriber), sorted. */
  readonly latencies: Float64Array;
  readonly delivered: number;
  readonly expected: number;
}

const job = workerData as LoadJob;
const target = new URL(job.url);
const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
/** `message` events carry `{"groupId":…,"seq":N,…}`. */
const MESSAGE_EVENT = /event: message\ndata: \{"groupId":"[^"]*","seq":(\d+)/g;

/** Arrival times by sequence number, one per subscriber that received the message. */
const arrivals = new Map<number, number[]>();
let delivered = 0;

function subscribe(token: string): Promise<void> {
  return new Promise((connected, failed) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: "/v1/events",
        agent,
        headers: { authorization: `Bearer ${token}` },
      },
      (res) => {
        if (res.statusCode !== 200) return failed(new Error(`SSE refused: ${res.statusCode}`));
        res.setEncoding("utf8");
        let carry = "";
        res.on("data", (chunk: string) => {
          const now = performance.now();
          const text = carry + chunk;
          const end = text.lastIndexOf("\n\n");
          carry = text.slice(end + 2);
          for (const match of text.slice(0, end + 2).matchAll(MESSAGE_EVENT)) {
            const seq = Number(match[1]);
            const list = arrivals.get(seq);
            if (list) list.push(now);
            else arrivals.set(seq, [now]);
            delivered++;
          }
        });
        res.once("data", () => connected());
        res.on("error", () => undefined);
      },
    );
    req.on("error", failed);
    req.end();
  });
}

function post(body: Uint8Array): Promise<number> {
  return new Promise((accepted, failed) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: `/v1/groups/${job.groupId}/messages`,
        method: "POST",
        agent,
        headers: {
          authorization: `Bearer ${job.senderToken}`,
          "content-type": "message/mls",
          "content-length": body.length,
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => {
          text += c;
        });
        res.on("end", () =>
          res.statusCode === 201
            ? accepted((JSON.parse(text) as { seq: number }).seq)
            : failed(new Error(`post refused: ${res.statusCode} ${text}`)),
        );
      },
    );
    req.on("error", failed);
    req.end(body);
  });
}

/** Post every body from `concurrency` loops; returns seconds taken and each seq's start time. */
async function postAll(
  bodies: readonly Uint8Array[],
): Promise<{ seconds: number; sentAt: Map<number, number> }> {
  const sentAt = new Map<number, number>();
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: job.concurrency }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++] as Uint8Array;
        const t = performance.now();
        sentAt.set(await post(body), t);
      }
    }),
  );
  return { seconds: (performance.now() - started) / 1000, sentAt };
}

async function allDelivered(expected: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (delivered < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

await Promise.all(job.subscriberTokens.map(subscribe));
const subscribers = job.subscriberTokens.length;
await postAll(job.warmup);
await allDelivered(job.warmup.length * subscribers, 20_000);
arrivals.clear();
delivered = 0;

const { seconds, sentAt } = await postAll(job.bodies);
const expected = job.bodies.length * subscribers;
await allDelivered(expected, 20_000);
const latencies = new Float64Array(delivered);
let i = 0;
for (const [seq, times] of arrivals) {
  const start = sentAt.get(seq);
  if (start !== undefined) for (const t of times) latencies[i++] = t - start;
}
const result: LoadResult = {
  throughput: job.bodies.length / seconds,
  latencies: latencies.subarray(0, i).sort(),
  delivered,
  expected,
};
parentPort?.postMessage(result);
agent.destroy();
