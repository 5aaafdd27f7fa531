import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { loadSuite } from "@parley/mls";
import { buildServer, DEFAULT_CONFIG, openStore, type ServerConfig } from "../src/index.js";
import { pruneLimiterState } from "../src/limits/sharedState.js";
import { freshSchema, POSTGRES_URL } from "./clusterNodes.js";
import { call, loginDevice, postgresAvailable } from "./harness.js";

const available = await postgresAvailable();

/**
 * Three in-process instances, each with its own pool, on one schema: the abuse limits are counted in the
 * database, so spreading attempts over instances gains an attacker nothing.
 */
describe("abuse limits shared by instances on one PostgreSQL database", { skip: !available }, () => {
  const schema = freshSchema("limits");
  const closers: (() => Promise<void>)[] = [];
  const urls: string[] = [];
  const config: ServerConfig = {
    ...DEFAULT_CONFIG,
    port: 0,
    logLevel: "silent",
    databaseUrl: POSTGRES_URL,
    databaseSchema: schema.name,
    limits: {
      ...DEFAULT_CONFIG.limits,
      loginFreeFailuresPerAccount: 3,
      loginBackoffMs: 600_000,
      registrationsPerAddressPerHour: 8,
      claimsPerPairPerHour: 4,
    },
  };

  before(async () => {
    for (let i = 0; i < 3; i++) {
      const store = await openStore(config);
      const app = await buildServer(store, config);
      await app.listen({ port: 0, host: "127.0.0.1" });
      urls.push(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}`);
      closers.push(async () => {
        await app.close();
        await store.db.close();
      });
    }
  });

  after(async () => {
    for (const close of closers) await close();
    await schema.drop();
  });

  const at = (i: number) => urls[i % urls.length] as string;

  test("login back-off: failures on three instances add up", async () => {
    const suite = await loadSuite(1);
    const alice = await loginDevice(at(0), suite, "alice");
    const guess = (i: number) =>
      call(at(i), "POST", "/v1/sessions", { body: { ...alice.credentials, password: `wrong guess ${i}` } });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await guess(i)).status);
    assert.deepEqual(statuses, [401, 401, 401, 429], "the 4th failure, on a 2nd instance, is refused");
    for (let i = 0; i < 3; i++) {
      const right = await call(at(i), "POST", "/v1/sessions", { body: alice.credentials });
      assert.equal(right.status, 429, `instance ${i} refuses even the right password meanwhile`);
      assert.equal(right.body.error, "login_throttled");
    }
  });

  test("key package claims: one pair's budget is for all instances together", async () => {
    const suite = await loadSuite(1);
    const bob = await loginDevice(at(1), suite, "bob");
    const packages = await Promise.all(Array.from({ length: 8 }, () => bob.keyPackage()));
    const upload = await call(at(1), "POST", "/v1/key-packages", {
      token: bob.token,
      body: { keyPackages: packages.map((p) => Buffer.from(p.message).toString("base64")) },
    });
    assert.ok(upload.status < 300, JSON.stringify(upload.body));
    const carol = await loginDevice(at(2), suite, "carol");
    const statuses = [];
    for (let i = 0; i < 5; i++) {
      statuses.push(
        (await call(at(i), "POST", "/v1/users/bob/key-packages/claim", { token: carol.token })).status,
      );
    }
    assert.deepEqual(statuses, [200, 200, 200, 200, 429]);
  });

  test("registrations from one address: the hourly budget is for all instances together", async () => {
    // alice's, bob's and carol's registrations (above) took three of the eight.
    const statuses = [];
    for (let i = 0; i < 6; i++) {
      statuses.push(
        (
          await call(at(i), "POST", "/v1/accounts", {
            body: { username: `user${i}`, password: "a password" },
          })
        ).status,
      );
    }
    assert.deepEqual(statuses, [201, 201, 201, 201, 201, 429]);
  });

  test("limiter rows no decision needs any more are pruned, recent ones kept", async () => {
    const store = await openStore(config);
    try {
      const rows = async () => Number((await store.db.all("SELECT COUNT(*) AS n FROM limiter_state"))[0]?.n);
      const before = await rows();
      assert.ok(before > 0);
      assert.equal(await pruneLimiterState(store.db, config.limits, Date.now()), 0);
      assert.equal(await pruneLimiterState(store.db, config.limits, Date.now() + 3600_000 + 1000), before);
      assert.equal(await rows(), 0);
    } finally {
      await store.db.close();
    }
  });
});
