import assert from "node:assert/strict";
import { test } from "node:test";
import { loadSuite } from "@parley/mls";
import { DEFAULT_CONFIG } from "../src/index.js";
import { manualClock } from "./clock.js";
import { type Backend, loginDevice, postgresAvailable, startServer } from "./harness.js";

const backends: Backend[] = ["sqlite", ...((await postgresAvailable()) ? (["postgres"] as const) : [])];

for (const backend of backends) {
  test(`rate limits: per device once authenticated, per address without a valid token (${backend})`, async () => {
    const clock = manualClock();
    const server = await startServer(backend, {
      now: clock.now,
      limits: { ...DEFAULT_CONFIG.limits, requestsPerMinute: 5, anonymousRequestsPerMinute: 5 },
    });
    const u = server.url;
    try {
      const alice = await loginDevice(u, await loadSuite(1), "alice");
      clock.advance(60_000);
      const get = (path: string, token?: string) =>
        fetch(`${u}${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
      const status = async (path: string, token?: string) => (await get(path, token)).status;

      const bogus = [];
      for (let i = 0; i < 5; i++) bogus.push(await status("/v1/devices", `random-token-${i}`));
      assert.deepEqual(bogus, [401, 401, 401, 401, 401], "5 bad tokens a minute from an address");
      const sixth = await get("/v1/devices", "random-token-5");
      assert.equal(sixth.status, 429, "the 6th within the minute");
      assert.equal(sixth.headers.get("retry-after"), "12", "one request per 12 s refills");
      assert.equal(((await sixth.json()) as { error: string }).error, "rate_limited");
      assert.equal(await status("/health"), 429, "anonymous routes share the address's budget");
      assert.equal(await status("/v1/devices"), 429, "so do requests without a token");

      const mine = [];
      for (let i = 0; i < 6; i++) mine.push(await status("/v1/devices", alice.token));
      assert.deepEqual(mine, [200, 200, 200, 200, 200, 429], "the device's own 5 a minute, untouched");

      clock.advance(12_000);
      assert.equal(await status("/health"), 200, "one refilled");
      assert.equal(await status("/health"), 429);
      assert.equal(await status("/v1/devices", alice.token), 200, "the device's bucket refilled one too");
      clock.advance(60_000);
      const anonymous = [];
      for (let i = 0; i < 6; i++) anonymous.push(await status("/nowhere"));
      assert.deepEqual(anonymous, [404, 404, 404, 404, 404, 429], "unknown routes count as anonymous");
    } finally {
      await server.close();
    }
  });
}
