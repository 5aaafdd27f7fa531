import { Agent, request } from "node:http";
import type { FuzzRequest } from "./routes.js";

export type Outcome = { status: number; body: string } | { error: string };

/** Send one request; an event stream is cut once its headers are in (it would never end by itself). */
export function send(agent: Agent, base: URL, req: FuzzRequest): Promise<Outcome> {
  return new Promise((resolve) => {
    const headers = { ...req.headers, ...(req.body ? { "content-length": String(req.body.length) } : {}) };
    const outgoing = request(
      {
        host: base.hostname,
        port: base.port,
        method: req.method,
        path: req.path,
        headers,
        agent,
        timeout: 30_000,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        if (String(res.headers["content-type"]).startsWith("text/event-stream") && req.method !== "HEAD") {
          res.destroy();
          resolve({ status, body: "" });
          return;
        }
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status, body: Buffer.concat(chunks).toString() }));
        res.on("error", () => resolve({ status, body: "" }));
      },
    );
    outgoing.on("timeout", () => outgoing.destroy(new Error("timeout")));
    outgoing.on("error", (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    outgoing.end(req.body);
  });
}

/** Send `count` generated requests, `concurrency` at a time; request i is the i-th generated. */
export async function sendAll(
  base: string,
  count: number,
  concurrency: number,
  next: () => FuzzRequest,
  record: (req: FuzzRequest, outcome: Outcome, index: number) => void,
): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const url = new URL(base);
  let issued = 0;
  const worker = async () => {
    while (issued < count) {
      const index = issued++;
      const req = next();
      record(req, await send(agent, url, req), index);
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    agent.destroy();
  }
}
