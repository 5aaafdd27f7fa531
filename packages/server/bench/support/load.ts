// The benchmark's clients, in worker threads so the server keeps its own thread: one worker holds the SSE
// subscribers and records when each message event arrives; another runs the posting loops. Times are
// absolute (timeOrigin + now), so the two threads' clocks agree.
import { Agent } from "node:http";
import { parentPort, workerData } from "node:worker_threads";
import { openEventStream, postMessage } from "./http.js";

export type LoadJob =
  | { readonly role: "subscribe"; readonly url: string; readonly tokens: readonly string[] }
  | {
      readonly role: "post";
      readonly url: string;
      readonly groupId: string;
      readonly token: string;
      readonly concurrency: number;
    };

/** Main thread → worker. */
export type LoadCommand =
  | { readonly kind: "post"; readonly bodies: readonly Uint8Array[] }
  | { readonly kind: "await"; readonly count: number; readonly timeoutMs: number }
  | { readonly kind: "reset" };

/** Worker → main thread. */
export type LoadReport =
  | { readonly kind: "ready" }
  | { readonly kind: "posted"; readonly seconds: number; readonly sentAt: Map<number, number> }
  | { readonly kind: "arrived"; readonly delivered: number; readonly arrivals: Map<number, number[]> };

const job = workerData as LoadJob;
const target = new URL(job.url);
const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
const now = () => performance.timeOrigin + performance.now();
const report = (r: LoadReport) => parentPort?.postMessage(r);

/** `message` events carry `{"groupId":…,"seq":N,…}`. */
function subscriber(tokens: readonly string[]) {
  const arrivals = new Map<number, number[]>();
  let delivered = 0;
  const connect = (token: string) =>
    openEventStream(agent, target, token, now, (_groupId, seq, at) => {
      const list = arrivals.get(seq);
      if (list) list.push(at);
      else arrivals.set(seq, [at]);
      delivered++;
    });
  return {
    connectAll: () => Promise.all(tokens.map(connect)),
    async await(count: number, timeoutMs: number) {
      const deadline = Date.now() + timeoutMs;
      while (delivered < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      report({ kind: "arrived", delivered, arrivals });
    },
    reset() {
      arrivals.clear();
      delivered = 0;
    },
  };
}

function poster(groupId: string, token: string, concurrency: number) {
  const post = (body: Uint8Array) => postMessage(agent, target, token, groupId, body);
  return async (bodies: readonly Uint8Array[]) => {
    const sentAt = new Map<number, number>();
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < bodies.length) {
          const body = bodies[next++] as Uint8Array;
          const t = now();
          sentAt.set(await post(body), t);
        }
      }),
    );
    report({ kind: "posted", seconds: (performance.now() - started) / 1000, sentAt });
  };
}

if (job.role === "subscribe") {
  const s = subscriber(job.tokens);
  await s.connectAll();
  parentPort?.on("message", (c: LoadCommand) => {
    if (c.kind === "await") void s.await(c.count, c.timeoutMs);
    else if (c.kind === "reset") s.reset();
  });
} else {
  const postAll = poster(job.groupId, job.token, job.concurrency);
  parentPort?.on("message", (c: LoadCommand) => {
    if (c.kind === "post") void postAll(c.bodies);
  });
}
report({ kind: "ready" });
