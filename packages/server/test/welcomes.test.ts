import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { loadSuite, MlsGroup } from "@parley/mls";
import { DEFAULT_CONFIG, openStore } from "../src/index.js";
import { type Backend, call, loginDevice, postgresAvailable, type Running, startServer } from "./harness.js";

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
const backends: Backend[] = ["sqlite", ...((await postgresAvailable()) ? (["postgres"] as const) : [])];

interface InboxBody {
  welcomes: { id: number; groupId: string; size: number; welcome?: string }[];
  more: boolean;
}

/** Row counts read through a second connection to the server's database. */
async function counts(server: Running): Promise<{ welcomes: number; inbox: number }> {
  const store = await openStore(server.config);
  try {
    const n = async (table: string) =>
      Number((await store.db.all(`SELECT COUNT(*) AS n FROM ${table}`))[0]?.n);
    return { welcomes: await n("welcomes"), inbox: await n("inbox") };
  } finally {
    await store.db.close();
  }
}

for (const backend of backends) {
  describe(`Welcome recipients, limits and paging (${backend})`, () => {
    test("recipients are the added devices, once each; a Welcome is bounded and stored once", async () => {
      const server = await startServer(backend, { limits: { ...DEFAULT_CONFIG.limits, welcomeBytes: 8192 } });
      const u = server.url;
      try {
        const suite = await loadSuite(1);
        const alice = await loginDevice(u, suite, "alice");
        const bob = await loginDevice(u, suite, "bob");
        const bob2 = await loginDevice(u, suite, "bob");
        const eve = await loginDevice(u, suite, "eve");
        let a = await MlsGroup.create(suite, await alice.keyPackage());
        const gid = Buffer.from(a.groupId).toString("base64url");
        await call(u, "POST", "/v1/groups", { token: alice.token, body: { groupId: gid } });
        const add = await a.commit({
          add: [(await bob.keyPackage()).message, (await bob2.keyPackage()).message],
          publicMessage: true,
        });
        const welcome = b64(add.welcome as Uint8Array);
        const post = (welcomes: { deviceIds: string[]; welcome: string }[]) =>
          call(u, "POST", `/v1/groups/${gid}/commits`, {
            token: alice.token,
            body: { commit: b64(add.commit), added: [bob.deviceId, bob2.deviceId], welcomes },
          });
        const refusals: [string, { deviceIds: string[]; welcome: string }[], number, string][] = [
          [
            "a device not added",
            [{ deviceIds: [bob.deviceId, eve.deviceId], welcome }],
            400,
            "recipient_not_added",
          ],
          [
            "a device twice",
            [{ deviceIds: [bob.deviceId, bob.deviceId], welcome }],
            400,
            "duplicate_recipient",
          ],
          [
            "a device in two Welcomes",
            [
              { deviceIds: [bob.deviceId], welcome },
              { deviceIds: [bob.deviceId, bob2.deviceId], welcome },
            ],
            400,
            "duplicate_recipient",
          ],
          ["no recipient", [{ deviceIds: [], welcome }], 400, "invalid_request"],
          [
            "a Welcome over the cap",
            [{ deviceIds: [bob.deviceId], welcome: b64(new Uint8Array(8193)) }],
            413,
            "welcome_too_large",
          ],
        ];
        for (const [what, welcomes, status, code] of refusals) {
          const answer = await post(welcomes);
          assert.equal(answer.status, status, what);
          assert.equal(answer.body.error, code, what);
        }
        assert.deepEqual(await counts(server), { welcomes: 0, inbox: 0 }, "refusals store nothing");
        const status = await call(u, "GET", `/v1/groups/${gid}`, { token: alice.token });
        assert.equal(status.body.epoch, 0);

        assert.equal((await post([{ deviceIds: [bob.deviceId, bob2.deviceId], welcome }])).status, 201);
        assert.deepEqual(await counts(server), { welcomes: 1, inbox: 2 }, "one Welcome, two inbox rows");
        for (const device of [bob, bob2]) {
          const inbox = (await call(u, "GET", "/v1/welcomes", { token: device.token }))
            .body as unknown as InboxBody;
          assert.equal(inbox.welcomes.length, 1);
          assert.equal(inbox.welcomes[0]?.welcome, welcome);
        }
        a = add.group;

        // A device that is already a member gets no Welcome (it would replace its group): a commit that adds
        // nobody cannot declare Bob added to address him one.
        const again = await a.commit({ publicMessage: true });
        const refused = await call(u, "POST", `/v1/groups/${gid}/commits`, {
          token: alice.token,
          body: {
            commit: b64(again.commit),
            added: [bob.deviceId],
            welcomes: [{ deviceIds: [bob.deviceId], welcome }],
          },
        });
        assert.equal(refused.status, 400);
        assert.equal(refused.body.error, "membership_mismatch");
        assert.equal((await call(u, "GET", `/v1/groups/${gid}`, { token: alice.token })).body.epoch, 1);
      } finally {
        await server.close();
      }
    });

    test("a full inbox refuses further Welcomes until its device fetches; pages are bounded by bytes", async () => {
      const server = await startServer(backend, {
        limits: { ...DEFAULT_CONFIG.limits, pendingWelcomesPerDevice: 2 },
      });
      const u = server.url;
      try {
        const suite = await loadSuite(1);
        const alice = await loginDevice(u, suite, "alice");
        const bob = await loginDevice(u, suite, "bob");
        const commitAdding = async () => {
          const a = await MlsGroup.create(suite, await alice.keyPackage());
          const gid = Buffer.from(a.groupId).toString("base64url");
          await call(u, "POST", "/v1/groups", { token: alice.token, body: { groupId: gid } });
          const add = await a.commit({ add: [(await bob.keyPackage()).message], publicMessage: true });
          const body = {
            commit: b64(add.commit),
            added: [bob.deviceId],
            welcomes: [{ deviceIds: [bob.deviceId], welcome: b64(add.welcome as Uint8Array) }],
          };
          return () => call(u, "POST", `/v1/groups/${gid}/commits`, { token: alice.token, body });
        };
        assert.equal((await (await commitAdding())()).status, 201);
        assert.equal((await (await commitAdding())()).status, 201);
        const third = await commitAdding();
        const full = await third();
        assert.equal(full.status, 429);
        assert.equal(full.body.error, "inbox_full");
        assert.deepEqual(await counts(server), { welcomes: 2, inbox: 2 });

        const inbox = (query: string) =>
          call(u, "GET", `/v1/welcomes?${query}`, { token: bob.token }).then(
            (r) => r.body as unknown as InboxBody,
          );
        const all = await inbox("after=0");
        assert.equal(all.welcomes.length, 2);
        assert.equal(all.more, false);
        const [first, second] = all.welcomes;
        assert.ok(first && second);
        const one = await inbox(`after=0&maxBytes=${first.size}`);
        assert.deepEqual(
          one.welcomes.map((w) => w.id),
          [first.id],
        );
        assert.equal(one.more, true);
        const tiny = await inbox("after=0&maxBytes=1");
        assert.deepEqual(tiny.welcomes, [{ id: first.id, groupId: first.groupId, size: first.size }]);
        assert.equal(tiny.more, true, "an entry too large for the page comes without its bytes");
        assert.equal((await inbox("limit=1")).more, true);
        assert.equal(
          (await call(u, "GET", "/v1/welcomes?maxBytes=0", { token: bob.token })).status,
          400,
          "a page holds at least a byte",
        );

        // Fetching past the Welcomes acknowledges them: the inbox has room again.
        assert.deepEqual((await inbox(`after=${second.id}`)).welcomes, []);
        assert.deepEqual(await counts(server), { welcomes: 0, inbox: 0 });
        assert.equal((await third()).status, 201);
      } finally {
        await server.close();
      }
    });

    test("Welcomes stored before the migration stay readable", async () => {
      const server = await startServer(backend);
      try {
        const suite = await loadSuite(1);
        const bob = await loginDevice(server.url, suite, "bob");
        const legacy = new Uint8Array([0, 1, 0, 3, 9, 9]);
        const store = await openStore(server.config);
        try {
          await store.db.run(
            "INSERT INTO inbox (device_id, group_id, data, created_at) VALUES (?, ?, ?, ?)",
            [bob.deviceId, "AAAA", legacy, Date.now()],
          );
        } finally {
          await store.db.close();
        }
        const inbox = (await call(server.url, "GET", "/v1/welcomes", { token: bob.token }))
          .body as unknown as InboxBody;
        assert.equal(inbox.welcomes.length, 1);
        assert.equal(inbox.welcomes[0]?.welcome, b64(legacy));
        assert.equal(inbox.welcomes[0]?.size, legacy.length);
      } finally {
        await server.close();
      }
    });
  });
}
