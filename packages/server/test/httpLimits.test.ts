import assert from "node:assert/strict";
import { once } from "node:events";
import { connect, type Socket } from "node:net";
import { describe, test } from "node:test";
import { DEFAULT_CONFIG } from "../src/index.js";
import { type Backend, postgresAvailable, startServer } from "./harness.js";

const backends: Backend[] = ["sqlite", ...((await postgresAvailable()) ? (["postgres"] as const) : [])];
const limits = { ...DEFAULT_CONFIG.limits, headersTimeoutMs: 400, requestTimeoutMs: 800, maxConnections: 3 };

async function open(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await once(socket, "connect");
  return socket;
}

/**
 * Write `bytes` one at a time, `gapMs` apart, until the server closes the connection: what the server answered,
 * how long it took, and how many bytes had gone out.
 */
async function trickle(socket: Socket, bytes: string, gapMs: number) {
  const started = Date.now();
  let received = "";
  let sent = 0;
  socket.setEncoding("latin1");
  socket.on("data", (chunk: string) => {
    received += chunk;
  });
  socket.on("error", () => undefined);
  const timer = setInterval(() => {
    if (sent < bytes.length && socket.writable) socket.write(bytes[sent++] as string);
  }, gapMs);
  await once(socket, "close");
  clearInterval(timer);
  return { received, ms: Date.now() - started, sent };
}

for (const backend of backends) {
  describe(`HTTP timeouts and connection cap (${backend})`, () => {
    test("slowloris: headers a byte every 20 ms are cut off with 408 after headersTimeoutMs (400 ms)", async () => {
      const server = await startServer(backend, { limits });
      try {
        const headers = `GET /health HTTP/1.1\r\nhost: x\r\nx-padding: ${"a".repeat(500)}\r\n\r\n`;
        const slow = await trickle(await open(server.url), headers, 20);
        assert.match(slow.received, /^HTTP\/1\.1 408 /);
        assert.ok(
          slow.sent < headers.length,
          `disconnected mid-headers (${slow.sent} of ${headers.length} bytes)`,
        );
        assert.ok(slow.ms >= 350 && slow.ms < 2400, `closed after ${slow.ms} ms`);
      } finally {
        await server.close();
      }
    });

    test("a slow body is cut off with 408 after requestTimeoutMs (800 ms)", async () => {
      const server = await startServer(backend, { limits });
      try {
        const socket = await open(server.url);
        socket.write(
          "POST /v1/accounts HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n",
        );
        const slow = await trickle(socket, "x".repeat(1000), 20);
        assert.match(slow.received, /^HTTP\/1\.1 408 /);
        assert.ok(slow.sent < 1000);
        assert.ok(slow.ms >= 700 && slow.ms < 2800, `closed after ${slow.ms} ms`);
      } finally {
        await server.close();
      }
    });

    test("connections past maxConnections (3) are dropped", async () => {
      const server = await startServer(backend, { limits });
      try {
        const held = [];
        for (let i = 0; i < 3; i++) {
          const socket = await open(server.url);
          socket.write("GET /health HTTP/1.1\r\nhost: x\r\n\r\n");
          await once(socket, "data");
          held.push(socket);
        }
        const extra = await open(server.url);
        let answered = false;
        extra.on("data", () => {
          answered = true;
        });
        extra.on("error", () => undefined);
        extra.write("GET /health HTTP/1.1\r\nhost: x\r\n\r\n");
        await once(extra, "close");
        assert.equal(answered, false, "the 4th connection got no answer");
        for (const s of held) s.destroy();
      } finally {
        await server.close();
      }
    });
  });
}
