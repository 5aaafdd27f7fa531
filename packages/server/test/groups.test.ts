import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { loadSuite, MlsGroup } from "@parley/mls";
import { DEFAULT_CONFIG } from "../src/index.js";
import { type Backend, call, loginDevice, postgresAvailable, startServer } from "./harness.js";

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
const text = (s: string) => new TextEncoder().encode(s);

const backends: Backend[] = ["sqlite", ...((await postgresAvailable()) ? (["postgres"] as const) : [])];

for (const backend of backends) {
  describe(`groups, commits and messages (${backend})`, () => {
    test("commit bundles, Welcomes, ordered messages, epoch fencing, idempotency, removal", async () => {
      const server = await startServer(backend);
      const u = server.url;
      try {
        const suite = await loadSuite(1);
        const alice = await loginDevice(u, suite, "alice");
        const bob = await loginDevice(u, suite, "bob");
        const eve = await loginDevice(u, suite, "eve");
        const bobKp = await bob.keyPackage();
        let a = await MlsGroup.create(suite, await alice.keyPackage());
        const gid = Buffer.from(a.groupId).toString("base64url");
        assert.equal(
          (await call(u, "POST", "/v1/groups", { token: alice.token, body: { groupId: gid } })).status,
          201,
        );
        assert.equal(
          (await call(u, "POST", "/v1/groups", { token: alice.token, body: { groupId: gid } })).status,
          409,
        );

        // Add Bob: the declared change must match the PublicMessage commit's Add proposals.
        const add = await a.commit({ add: [bobKp.message], publicMessage: true });
        const bundle = (extra: object = {}) => ({
          commit: b64(add.commit),
          welcomes: [{ deviceIds: [bob.deviceId], welcome: b64(add.welcome as Uint8Array) }],
          added: [bob.deviceId],
          ...extra,
        });
        const post = (token: string, body: object) =>
          call(u, "POST", `/v1/groups/${gid}/commits`, { token, body });
        assert.equal(
          (await post(alice.token, bundle({ added: [eve.deviceId] }))).status,
          400,
          "mismatched membership",
        );
        assert.equal((await post(eve.token, bundle())).status, 404, "non-members cannot post");
        const accepted = await post(alice.token, bundle({ groupInfo: b64(await add.group.groupInfo()) }));
        assert.deepEqual(accepted.body, { seq: 1, epoch: 1 });
        const replayed = await post(alice.token, bundle());
        assert.equal(replayed.status, 409);
        assert.equal(replayed.body.currentEpoch, 1);
        a = add.group;

        const welcomes = await call(u, "GET", "/v1/welcomes", { token: bob.token });
        const w = (welcomes.body.welcomes as { welcome: string }[])[0];
        assert.ok(w);
        let b = await MlsGroup.joinFromWelcome(
          suite,
          new Uint8Array(Buffer.from(w.welcome, "base64")),
          bobKp,
        );
        assert.equal(
          (await call(u, "GET", `/v1/groups/${gid}/group-info`, { token: bob.token })).status,
          200,
        );
        assert.equal(
          (await call(u, "GET", `/v1/groups/${gid}/group-info`, { token: eve.token })).status,
          404,
          "only accounts with a member device read the GroupInfo",
        );

        // Messages: raw message/mls bodies, idempotent retries, dense order.
        const sent = await a.encrypt(text("hi bob"));
        a = sent.group;
        const raw = (token: string, body: Uint8Array, key?: string, type = "message/mls") =>
          fetch(`${u}/v1/groups/${gid}/messages`, {
            method: "POST",
            headers: {
              authorization: `Bearer ${token}`,
              "content-type": type,
              ...(key ? { "idempotency-key": key } : {}),
            },
            body,
          });
        const first = await raw(alice.token, sent.message, "k1");
        assert.equal(first.status, 201);
        assert.deepEqual(await first.json(), { seq: 2 });
        const retry = await raw(alice.token, sent.message, "k1");
        assert.equal(retry.status, 200);
        assert.deepEqual(await retry.json(), { seq: 2 });
        assert.equal((await raw(alice.token, sent.message.subarray(0, 20))).status, 400, "truncated");
        assert.equal((await raw(alice.token, text("garbage"))).status, 400, "not MLS");
        assert.equal(
          (await raw(alice.token, add.commit)).status,
          400,
          "a commit is not an application message",
        );
        assert.equal((await raw(alice.token, sent.message, undefined, "text/csv")).status, 415);
        assert.equal((await raw(alice.token, new Uint8Array(2 * 1024 * 1024))).status, 413);
        assert.equal((await raw(eve.token, sent.message)).status, 404);

        const fetched = await call(u, "GET", `/v1/groups/${gid}/messages?after=0`, { token: bob.token });
        const list = fetched.body.messages as { seq: number; kind: string; message: string }[];
        assert.deepEqual(
          list.map((m) => [m.seq, m.kind]),
          [[2, "application"]],
          "Bob sees what came after his add",
        );
        const read = await b.process(new Uint8Array(Buffer.from(list[0]?.message ?? "", "base64")));
        assert.ok(read.kind === "application");
        b = read.group;
        assert.equal(
          (await call(u, "GET", `/v1/groups/${gid}/messages?limit=0`, { token: bob.token })).status,
          400,
        );
        assert.equal((await call(u, "GET", `/v1/groups/${gid}/messages`, { token: eve.token })).status, 404);

        // Two commits for epoch 1 at once: exactly one lands.
        const fromAlice = await a.commit({ publicMessage: true });
        const fromBob = await b.commit({ publicMessage: true });
        const race = await Promise.all([
          post(alice.token, {
            commit: b64(fromAlice.commit),
            groupInfo: b64(await fromAlice.group.groupInfo()),
          }),
          post(bob.token, { commit: b64(fromBob.commit), groupInfo: b64(await fromBob.group.groupInfo()) }),
        ]);
        assert.deepEqual(race.map((r) => r.status).sort(), [201, 409]);
        const aliceWon = race[0]?.status === 201;
        a = aliceWon ? fromAlice.group : (await a.process(fromBob.commit)).group;
        b = aliceWon ? (await b.process(fromAlice.commit)).group : fromBob.group;

        // 1,000 concurrent posts: unique, dense sequence numbers.
        const burst = [];
        for (let i = 0; i < 1000; i++) {
          const m = await a.encrypt(text(`m${i}`));
          a = m.group;
          burst.push(m.message);
        }
        const seqs = await Promise.all(
          burst.map(async (m) => ((await (await raw(alice.token, m)).json()) as { seq: number }).seq),
        );
        const sorted = [...seqs].sort((x, y) => x - y);
        assert.equal(new Set(seqs).size, 1000);
        assert.equal((sorted.at(-1) as number) - (sorted[0] as number), 999, "dense");

        // Remove Bob: from then on he can neither read nor post.
        const removal = await a.commit({ remove: [b.ownLeafIndex], publicMessage: true });
        assert.equal(
          (
            await post(alice.token, {
              commit: b64(removal.commit),
              removed: [bob.deviceId],
              groupInfo: b64(await removal.group.groupInfo()),
            })
          ).status,
          201,
        );
        assert.equal((await call(u, "GET", `/v1/groups/${gid}/messages`, { token: bob.token })).status, 404);
        const late = await b.encrypt(text("still here?"));
        assert.equal((await raw(bob.token, late.message)).status, 404);

        // An application message too many epochs old is refused.
        let stale = removal.group;
        const old = await stale.encrypt(text("old"));
        for (let i = 0; i < 3; i++) {
          const c = await stale.commit({ publicMessage: true });
          const groupInfo = b64(await c.group.groupInfo());
          assert.equal((await post(alice.token, { commit: b64(c.commit), groupInfo })).status, 201);
          stale = c.group;
        }
        const tooOld = await raw(alice.token, old.message);
        assert.equal(tooOld.status, 409);
      } finally {
        await server.close();
      }
    });
  });
}

for (const backend of backends) {
  test(`group size limit (${backend})`, async () => {
    const server = await startServer(backend, { limits: { ...DEFAULT_CONFIG.limits, maxGroupSize: 2 } });
    try {
      const suite = await loadSuite(1);
      const [alice, bob, eve] = [
        await loginDevice(server.url, suite, "alice"),
        await loginDevice(server.url, suite, "bob"),
        await loginDevice(server.url, suite, "eve"),
      ];
      let a = await MlsGroup.create(suite, await alice.keyPackage());
      const gid = Buffer.from(a.groupId).toString("base64url");
      await call(server.url, "POST", "/v1/groups", { token: alice.token, body: { groupId: gid } });
      const addBob = await a.commit({ add: [(await bob.keyPackage()).message], publicMessage: true });
      const post = (commit: Uint8Array, added: string[]) =>
        call(server.url, "POST", `/v1/groups/${gid}/commits`, {
          token: alice.token,
          body: { commit: b64(commit), added },
        });
      assert.equal((await post(addBob.commit, [bob.deviceId])).status, 201);
      a = addBob.group;
      const addEve = await a.commit({ add: [(await eve.keyPackage()).message], publicMessage: true });
      const refused = await post(addEve.commit, [eve.deviceId]);
      assert.equal(refused.status, 400);
      assert.equal(refused.body.error, "group_too_large");
    } finally {
      await server.close();
    }
  });
}
