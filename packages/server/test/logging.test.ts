import assert from "node:assert/strict";
import { test } from "node:test";
import { call, startServer } from "./harness.js";

test("a logStream gets every log line as JSON, one per request, without the bearer token", async () => {
  const lines: Array<Record<string, unknown>> = [];
  const server = await startServer(
    "sqlite",
    { logLevel: "info" },
    { logStream: { write: (line) => lines.push(JSON.parse(line)) } },
  );
  try {
    const token = "secret-token-that-must-not-be-logged";
    assert.equal((await call(server.url, "GET", "/health", { token })).status, 200);
    assert.equal((await call(server.url, "GET", "/v1/devices", { token })).status, 401);
    const requests = lines.filter((l) => l.msg === "request");
    assert.deepEqual(
      requests.map((l) => [l.method, l.url, l.status]),
      [
        ["GET", "/health", 200],
        ["GET", "/v1/devices", 401],
      ],
    );
    for (const line of requests) assert.equal(typeof line.ms, "number");
    assert.ok(!JSON.stringify(lines).includes(token));
  } finally {
    await server.close();
  }
});
