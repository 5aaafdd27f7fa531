import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createKeyPackage, loadSuite, MlsGroup, type MlsSuite } from "@parley/mls";
import { baseSeed, testRandom } from "@parley/testkit";
import { DEFAULT_CONFIG } from "../src/index.js";
import { type FuzzTargets, ROUTE_NAMES } from "./fuzz/routes.js";
import { fuzz, summary } from "./fuzz/run.js";
import { b64 } from "./fuzz/values.js";
import { type Backend, call, loginDevice, postgresAvailable, startServer } from "./harness.js";

const backends: Backend[] = ["sqlite", ...((await postgresAvailable()) ? (["postgres"] as const) : [])];
const REQUESTS = 10_000;
const CONCURRENCY = 16;
const text = (s: string) => new TextEncoder().encode(s);

/** Alice and Bob's group with 20 messages and a commit: what the fuzzing must leave intact. */
async function victims(u: string, suite: MlsSuite) {
  const alice = await loginDevice(u, suite, "alice");
  const bob = await loginDevice(u, suite, "bob");
  const bobKp = await bob.keyPackage();
  let a = await MlsGroup.create(suite, await alice.keyPackage());
  const groupId = Buffer.from(a.groupId).toString("base64url");
  await call(u, "POST", "/v1/groups", { token: alice.token, body: { groupId } });
  const add = await a.commit({ add: [bobKp.message], publicMessage: true });
  a = add.group;
  const welcome = b64(add.welcome as Uint8Array);
  await call(u, "POST", `/v1/groups/${groupId}/commits`, {
    token: alice.token,
    body: {
      commit: b64(add.commit),
      welcomes: [{ deviceIds: [bob.deviceId], welcome }],
      added: [bob.deviceId],
    },
  });
  for (let i = 0; i < 20; i++) {
    const m = await a.encrypt(text(`message ${i}`));
    a = m.group;
    const r = await call(u, "POST", `/v1/groups/${groupId}/messages`, {
      token: alice.token,
      body: { message: b64(m.message) },
    });
    assert.equal(r.status, 201);
  }
  const history = async (token: string) =>
    (await call(u, "GET", `/v1/groups/${groupId}/messages?after=0&limit=1000`, { token })).body.messages;
  return { alice, bob, groupId, history, next: () => a };
}

/** The attacker: two devices and a group of its own, a third account, and real MLS bytes to mutate. */
async function attacker(
  u: string,
  suite: MlsSuite,
  victim: Awaited<ReturnType<typeof victims>>,
): Promise<FuzzTargets> {
  const main = await loginDevice(u, suite, "mallory");
  const spare = await loginDevice(u, suite, "mallory");
  const trent = await loginDevice(u, suite, "trent");
  let group = await MlsGroup.create(suite, await main.keyPackage());
  const ownGroup = Buffer.from(group.groupId).toString("base64url");
  await call(u, "POST", "/v1/groups", { token: main.token, body: { groupId: ownGroup } });
  const add = await group.commit({ add: [(await spare.keyPackage()).message], publicMessage: true });
  const commits = [add.commit];
  for (let i = 0; i < 3; i++) commits.push((await group.commit({ publicMessage: true })).commit);
  const privateCommits = [];
  for (let i = 0; i < 3; i++) privateCommits.push((await group.commit({})).commit);
  const messages = [];
  for (let i = 0; i < 30; i++) {
    const m = await group.encrypt(text(`mallory ${i}`));
    group = m.group;
    messages.push(m.message);
  }
  const identity = text(`mallory/${main.deviceId}`);
  const keyPackages = await Promise.all(
    Array.from({ length: 10 }, async () => (await main.keyPackage()).message),
  );
  const lastResort = (
    await createKeyPackage(suite, { identity, signatureKeyPair: main.keys, lastResort: true })
  ).message;
  return {
    main: main.token,
    spare: spare.token,
    disposable: trent.token,
    ownGroup,
    victimGroup: victim.groupId,
    deviceIds: [spare.deviceId, trent.deviceId, victim.alice.deviceId, victim.bob.deviceId, "0".repeat(64)],
    usernames: ["alice", "bob", "mallory", "trent", "nobody"],
    passwords: ["mallory password", "trent password", "alice password", "wrong password", "short", ""],
    signatureKeys: [
      main.credentials.signatureKey,
      spare.credentials.signatureKey,
      victim.alice.credentials.signatureKey,
      b64(new Uint8Array(32).fill(9)),
      "!!",
    ],
    messages,
    commits,
    privateCommits,
    epoch: { current: 0 },
    groupInfos: [await group.groupInfo(), await add.group.groupInfo()],
    welcome: add.welcome as Uint8Array,
    keyPackages,
    lastResort,
  };
}

for (const backend of backends) {
  describe(`fuzzing every route (${backend})`, () => {
    test(`${REQUESTS} generated and mutated requests: no 5xx, the server up, the victims' group intact`, {
      timeout: 300_000,
    }, async (t) => {
      const random = testRandom(t);
      const server = await startServer(backend, {
        limits: { ...DEFAULT_CONFIG.limits, requestsPerMinute: 1e9, anonymousRequestsPerMinute: 1e9 },
      });
      const u = server.url;
      try {
        const suite = await loadSuite(1);
        const victim = await victims(u, suite);
        const before = {
          alice: await victim.history(victim.alice.token),
          bob: await victim.history(victim.bob.token),
        };
        const targets = await attacker(u, suite, victim);

        const report = await fuzz(
          u,
          { count: REQUESTS, concurrency: CONCURRENCY, bodyLimit: server.config.limits.bodyBytes },
          random,
          targets,
        );
        const line = `${REQUESTS} requests, seed ${baseSeed()}, ${summary(report)}`;
        console.log(`fuzz (${backend}): ${line}`);
        t.diagnostic(line);
        assert.deepEqual(report.failures, [], "no 5xx and no failed request");
        for (const name of ROUTE_NAMES)
          assert.ok((report.perRoute.get(name) ?? 0) >= 200, `${name}: ${report.perRoute.get(name)}`);

        assert.equal((await call(u, "GET", "/health")).status, 200, "still up");
        assert.deepEqual(
          await victim.history(victim.alice.token),
          before.alice,
          "Alice's history byte for byte",
        );
        assert.deepEqual(await victim.history(victim.bob.token), before.bob, "Bob's history byte for byte");
        const last = await victim.next().encrypt(text("still working"));
        const posted = await call(u, "POST", `/v1/groups/${victim.groupId}/messages`, {
          token: victim.alice.token,
          body: { message: b64(last.message) },
        });
        assert.equal(posted.status, 201, "the victims' group still takes messages");
      } finally {
        await server.close();
      }
    });
  });
}
