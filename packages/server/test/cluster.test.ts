import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { loadSuite, MlsGroup, type MlsSuite } from "@parley/mls";
import pg from "pg";
import { freshSchema, type Instance, POSTGRES_URL, startInstance } from "./clusterNodes.js";
import { call, loginDevice, postgresAvailable } from "./harness.js";
import { openEvents, type SseEvent } from "./sse.js";

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
const messages = (events: SseEvent[]) => events.filter((e) => e.event === "message");
const seqs = (events: SseEvent[]) => messages(events).map((e) => Number(e.data.seq));

/** Strictly increasing ids: in log order, nothing twice. */
function assertLogOrder(events: SseEvent[], what: string): void {
  const ids = events.map((e) => e.id as number);
  assert.ok(
    ids.every((id, i) => i === 0 || id > (ids[i - 1] as number)),
    `${what}: ids strictly increasing`,
  );
}

/** `promise`, or a failure naming `what` after `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

async function postMessage(base: string, token: string, gid: string, body: Uint8Array): Promise<number> {
  const r = await fetch(`${base}/v1/groups/${gid}/messages`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "message/mls" },
    body,
  });
  assert.equal(r.status, 201, await r.clone().text());
  return ((await r.json()) as { seq: number }).seq;
}

const available = await postgresAvailable();

describe("several instances on one PostgreSQL database", { skip: !available }, () => {
  const schema = freshSchema("cluster");
  let nodes: Instance[] = [];
  let suite: MlsSuite;
  type Member = Awaited<ReturnType<typeof loginDevice>> & { url: string; group?: MlsGroup };
  let alice: Member;
  let bob: Member;
  let carol: Member;
  let gid: string;

  before(async () => {
    // The first instance creates the schema; the others start on it together.
    nodes = [await startInstance(schema.name)];
    nodes.push(...(await Promise.all([startInstance(schema.name), startInstance(schema.name)])));
    suite = await loadSuite(1);
    const [a, b, c] = nodes.map((n) => n.url) as [string, string, string];
    alice = { ...(await loginDevice(a, suite, "alice")), url: a };
    bob = { ...(await loginDevice(b, suite, "bob")), url: b };
    carol = { ...(await loginDevice(c, suite, "carol")), url: c };
  });

  after(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await schema.drop();
  });

  test("members on three instances: every message reaches every member once, in order", async () => {
    const bobKp = await bob.keyPackage();
    const carolKp = await carol.keyPackage();
    let a = await MlsGroup.create(suite, await alice.keyPackage());
    gid = Buffer.from(a.groupId).toString("base64url");
    assert.equal(
      (await call(alice.url, "POST", "/v1/groups", { token: alice.token, body: { groupId: gid } })).status,
      201,
    );
    const streams = [alice, bob, carol].map((m) => openEvents(m.url, m.token));
    await Promise.all(streams.map((s) => s.connected));

    const add = await a.commit({ add: [bobKp.message, carolKp.message], publicMessage: true });
    a = add.group;
    const added = [bob.deviceId, carol.deviceId];
    const commit = await call(alice.url, "POST", `/v1/groups/${gid}/commits`, {
      token: alice.token,
      body: {
        commit: b64(add.commit),
        welcomes: [{ deviceIds: added, welcome: b64(add.welcome as Uint8Array) }],
        added,
      },
    });
    assert.equal(commit.status, 201);
    alice.group = a;
    // The Welcome, written on A, reaches bob on B and carol on C; each fetches it from its own instance.
    for (const [i, m, kp] of [
      [1, bob, bobKp],
      [2, carol, carolKp],
    ] as const) {
      await streams[i]?.until((es) => es.some((e) => e.event === "welcome"));
      const inbox = await call(m.url, "GET", "/v1/welcomes", { token: m.token });
      const w = (inbox.body.welcomes as { welcome: string }[])[0];
      assert.ok(w, "the Welcome is in the inbox on another instance");
      m.group = await MlsGroup.joinFromWelcome(suite, new Uint8Array(Buffer.from(w.welcome, "base64")), kp);
    }

    // All three post at once, each to its own instance.
    const PER_MEMBER = 30;
    const send = async (m: Member) => {
      const posted: number[] = [];
      for (let i = 0; i < PER_MEMBER; i++) {
        const e = await (m.group as MlsGroup).encrypt(
          new TextEncoder().encode(`${m.credentials.username} ${i}`),
        );
        m.group = e.group;
        posted.push(await postMessage(m.url, m.token, gid, e.message));
      }
      return posted;
    };
    const posted = (await Promise.all([alice, bob, carol].map(send))).flat().sort((x, y) => x - y);
    const barrier = await (async () => {
      const e = await (alice.group as MlsGroup).encrypt(new TextEncoder().encode("barrier"));
      alice.group = e.group;
      return postMessage(alice.url, alice.token, gid, e.message);
    })();
    for (const [i, s] of streams.entries()) {
      await s.until((es) => seqs(es).includes(barrier));
      assertLogOrder(s.events, `member ${i}`);
      // The stream is in order, so once the barrier is in, anything sent twice would be too.
      assert.deepEqual(seqs(s.events), [...posted, barrier], `member ${i}: every message once, in seq order`);
    }
    const ids = (s: (typeof streams)[number]) => messages(s.events).map((e) => e.id);
    assert.deepEqual(
      ids(streams[1] as (typeof streams)[number]),
      ids(streams[0] as (typeof streams)[number]),
    );
    assert.deepEqual(
      ids(streams[2] as (typeof streams)[number]),
      ids(streams[0] as (typeof streams)[number]),
    );
    await Promise.all(streams.map((s) => s.close()));
  });

  test("two commits for one epoch posted to two instances: exactly one is accepted", async () => {
    for (let round = 0; round < 5; round++) {
      const fromAlice = await (alice.group as MlsGroup).commit({ publicMessage: true });
      const fromBob = await (bob.group as MlsGroup).commit({ publicMessage: true });
      const race = await Promise.all([
        call(alice.url, "POST", `/v1/groups/${gid}/commits`, {
          token: alice.token,
          body: { commit: b64(fromAlice.commit) },
        }),
        call(bob.url, "POST", `/v1/groups/${gid}/commits`, {
          token: bob.token,
          body: { commit: b64(fromBob.commit) },
        }),
      ]);
      assert.deepEqual(race.map((r) => r.status).sort(), [201, 409], `round ${round}`);
      const aliceWon = race[0]?.status === 201;
      alice.group = aliceWon
        ? fromAlice.group
        : (await (alice.group as MlsGroup).process(fromBob.commit)).group;
      bob.group = aliceWon ? (await (bob.group as MlsGroup).process(fromAlice.commit)).group : fromBob.group;
    }
  });

  test("a logout on one instance ends the session's streams on the others", async () => {
    const [a, b, c] = nodes as [Instance, Instance, Instance];
    const dave = await loginDevice(a.url, suite, "dave");
    const onB = openEvents(b.url, dave.token);
    const onC = openEvents(c.url, dave.token);
    await Promise.all([onB.connected, onC.connected]);
    assert.equal((await call(a.url, "DELETE", "/v1/sessions/current", { token: dave.token })).status, 204);
    // Both streams end (a stream that stayed open would time the test out).
    await within(Promise.all([onB.ended, onC.ended]), 10_000, "both streams end");
    assert.equal((await call(b.url, "GET", "/v1/events", { token: dave.token })).status, 401);
  });

  test("an instance SIGKILLed under load: its client resumes on another with Last-Event-ID, missing nothing", async () => {
    const [, b, c] = nodes as [Instance, Instance, Instance];
    const onC = openEvents(c.url, carol.token);
    await onC.connected;
    const TOTAL = 150;
    const posted: number[] = [];
    let killed = false;
    const load = (async () => {
      for (let i = 0; i < TOTAL; i++) {
        const e = await (alice.group as MlsGroup).encrypt(new TextEncoder().encode(`load ${i}`));
        alice.group = e.group;
        posted.push(await postMessage(alice.url, alice.token, gid, e.message));
      }
    })();
    await onC.until((es) => messages(es).length >= 40);
    await c.kill();
    killed = true;
    await within(onC.ended, 10_000, "the killed instance's stream ends");
    const before = onC.events.slice();
    assert.ok(killed && before.length > 0);
    const lastId = before.at(-1)?.id as number;
    const onB = openEvents(b.url, carol.token, lastId);
    await load;
    await onB.until((es) => seqs(es).includes(posted.at(-1) as number));
    const all = [...before, ...onB.events];
    assertLogOrder(all, "carol across the kill");
    assert.deepEqual(seqs(all).slice(-TOTAL), posted, "every message once, in order, across the kill");
    await onB.close();
  });

  test("a lost listener connection: the instance reconnects, catches up, and loses nothing", async () => {
    const [, b] = nodes as [Instance, Instance];
    const onB = openEvents(b.url, bob.token);
    await onB.connected;
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    try {
      // Notifications are hints: garbage on either channel is ignored.
      for (const [channel, payload] of [
        [`parley:${schema.name}`, "not an id"],
        [`parley:${schema.name}`, "999999999999"],
        [`parley-end:${schema.name}`, '{"kind":"device"'],
        [`parley-end:${schema.name}`, JSON.stringify({ kind: "everything", id: bob.deviceId })],
      ]) {
        await admin.query("SELECT pg_notify($1, $2)", [channel, payload]);
      }
      const killed = await admin.query(
        "SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE query = $1",
        [`LISTEN "parley-end:${schema.name}"`], // the listener's last statement
      );
      // Instance C was killed; A and B each have one listener.
      assert.ok((killed.rowCount ?? 0) >= 2);
    } finally {
      await admin.end();
    }
    const posted: number[] = [];
    for (let i = 0; i < 20; i++) {
      const e = await (alice.group as MlsGroup).encrypt(new TextEncoder().encode(`after ${i}`));
      alice.group = e.group;
      posted.push(await postMessage(alice.url, alice.token, gid, e.message));
    }
    await onB.until((es) => seqs(es).includes(posted.at(-1) as number));
    assert.deepEqual(seqs(onB.events).slice(-posted.length), posted);
    assertLogOrder(onB.events, "bob");
    const ready = await call(b.url, "GET", "/readyz");
    assert.deepEqual(ready, { status: 200, body: { ok: true, database: true, listener: true } });
    await onB.close();
  });
});
