import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { HttpTransport, isClientError, MemoryStore, ParleyClient, ParleyClientError } from "../src/index.js";
import { EventStreamParser } from "../src/transport/eventStream.js";

type Reply = (req: IncomingMessage, res: ServerResponse) => void;
const json =
  (status: number, body: unknown, raw?: string): Reply =>
  (_req, res) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(raw ?? JSON.stringify(body));
  };

/** A tiny fake server on loopback: each test sets what it answers. */
describe("malformed server responses produce typed errors", () => {
  let server: Server;
  let url = "";
  let reply: Reply = json(200, {});
  before(async () => {
    server = createServer((req, res) => {
      req.resume();
      reply(req, res);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const transport = () => {
    const t = new HttpTransport(url, { timeoutMs: 500 });
    t.setToken("x".repeat(43));
    return t;
  };
  const GROUP = "AAAA";
  const DEVICE = "a".repeat(64);
  const cases: [string, Reply, (t: HttpTransport) => Promise<unknown>, string][] = [
    ["not JSON", json(200, null, "<html>oops"), (t) => t.keyPackageCount(), "malformed-response"],
    ["a JSON array", json(200, [1, 2]), (t) => t.keyPackageCount(), "malformed-response"],
    ["a missing field", json(200, { available: 3 }), (t) => t.keyPackageCount(), "malformed-response"],
    [
      "a wrong type",
      json(200, { available: "3", lastResort: true }),
      (t) => t.keyPackageCount(),
      "malformed-response",
    ],
    [
      "a negative count",
      json(200, { available: -1, lastResort: true }),
      (t) => t.keyPackageCount(),
      "malformed-response",
    ],
    [
      "a bad token",
      json(201, { token: "a b", deviceId: DEVICE, expiresAt: 1 }),
      (t) => t.login("u", "password1", new Uint8Array(32)),
      "malformed-response",
    ],
    [
      "bad base64",
      json(200, { messages: [{ seq: 1, kind: "commit", epoch: 0, sender: DEVICE, message: "!!!" }] }),
      (t) => t.fetchMessages(GROUP, 0, 10),
      "malformed-response",
    ],
    [
      "an unknown kind",
      json(200, { messages: [{ seq: 1, kind: "x", epoch: 0, sender: DEVICE, message: "AAAA" }] }),
      (t) => t.fetchMessages(GROUP, 0, 10),
      "malformed-response",
    ],
    [
      "seq going backwards",
      json(200, {
        messages: [2, 1].map((seq) => ({
          seq,
          kind: "application",
          epoch: 0,
          sender: DEVICE,
          message: "AAAA",
        })),
      }),
      (t) => t.fetchMessages(GROUP, 0, 10),
      "malformed-response",
    ],
    [
      "seq at the cursor",
      json(200, { messages: [{ seq: 5, kind: "application", epoch: 0, sender: DEVICE, message: "AAAA" }] }),
      (t) => t.fetchMessages(GROUP, 5, 10),
      "malformed-response",
    ],
    [
      "a bad sender",
      json(200, { messages: [{ seq: 1, kind: "application", epoch: 0, sender: "me", message: "AAAA" }] }),
      (t) => t.fetchMessages(GROUP, 0, 10),
      "malformed-response",
    ],
    ["welcomes not an array", json(200, { welcomes: {} }), (t) => t.fetchWelcomes(0), "malformed-response"],
    [
      "a 409 without the epoch",
      json(409, { error: "epoch_conflict" }),
      (t) => t.postCommit(GROUP, { commit: new Uint8Array(4), added: [], removed: [] }),
      "malformed-response",
    ],
    [
      "an undocumented 409",
      json(409, { error: "something_else", message: "no" }),
      (t) => t.postCommit(GROUP, { commit: new Uint8Array(4), added: [], removed: [] }),
      "conflict",
    ],
    ["an undocumented status", json(302, {}), (t) => t.groupStatus(GROUP), "unexpected-status"],
    ["a 500 with HTML", json(500, null, "<h1>down</h1>"), (t) => t.groupStatus(GROUP), "server-error"],
    [
      "a 401",
      json(401, { error: "unauthorized", message: "expired" }),
      (t) => t.groupStatus(GROUP),
      "unauthorized",
    ],
    ["a 404", json(404, { error: "not_found" }), (t) => t.fetchMessages(GROUP, 0, 10), "not-found"],
    ["a 429", json(429, { error: "rate_limited" }), (t) => t.fetchWelcomes(0), "rate-limited"],
    ["a dropped connection", (req) => req.socket.destroy(), (t) => t.groupStatus(GROUP), "network"],
    ["no answer at all", () => {}, (t) => t.groupStatus(GROUP), "network"],
    [
      "a body cut short",
      (_req, res) => {
        res.writeHead(200, { "content-type": "application/json", "content-length": "100" });
        res.write('{"epoch":');
        setTimeout(() => res.socket?.destroy(), 20);
      },
      (t) => t.groupStatus(GROUP),
      "network",
    ],
    ["events that are not a stream", json(200, { ok: true }), (t) => drain(t), "malformed-response"],
    [
      "event data that is not JSON",
      (_req, res) => {
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.end("id: 1\nevent: message\ndata: {nope\n\n");
      },
      (t) => drain(t),
      "malformed-response",
    ],
    [
      "an event without a group",
      (_req, res) => {
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.end('id: 1\nevent: message\ndata: {"seq":1}\n\n');
      },
      (t) => drain(t),
      "malformed-response",
    ],
    [
      "an event id that is not a number",
      (_req, res) => {
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.end("id: x\nevent: welcome\ndata: {}\n\n");
      },
      (t) => drain(t),
      "malformed-response",
    ],
  ];

  for (const [what, answer, call, code] of cases) {
    it(`${what} → ${code}`, async () => {
      reply = answer;
      await assert.rejects(call(transport()), (err) => {
        assert.ok(err instanceof ParleyClientError, `not a ParleyClientError: ${err}`);
        assert.equal(err.code, code, err.message);
        assert.ok(!err.message.includes("x".repeat(43)), "the token leaked into the error");
        return true;
      });
    });
  }

  it("the client itself turns garbage into typed errors: login, then sync", async () => {
    reply = json(201, { token: "t".repeat(43), deviceId: "b".repeat(64), expiresAt: Date.now() + 1000 });
    await assert.rejects(
      ParleyClient.login({
        serverUrl: url,
        username: "zed",
        password: "password1",
        store: new MemoryStore(),
      }),
      (err) => isClientError(err, "malformed-response"), // the device id is not our key's
    );
    reply = json(200, { welcomes: [{ id: 1, groupId: "AAAA", welcome: "AAAAAAAA" }] });
    const store = new MemoryStore();
    await store.write({
      device: {
        serverUrl: url,
        username: "zed",
        deviceId: "c".repeat(64),
        suiteId: 1,
        signaturePublicKey: new Uint8Array(32),
        signaturePrivateKey: new Uint8Array(32),
        token: "t".repeat(43),
        tokenExpiresAt: Date.now() + 1000,
      },
    });
    const client = await ParleyClient.open({ store });
    const errors: ParleyClientError[] = [];
    client.on("error", (e) => errors.push(e.error));
    await client.sync(); // a Welcome that is not one: reported, skipped
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.code, "mls");
    // The inbox cursor moved past it: the same entry again is the server's error, not a retry.
    await assert.rejects(client.sync(), (err) => isClientError(err, "malformed-response"));
    reply = json(200, { welcomes: [] });
    await client.sync();
    assert.equal(errors.length, 1);
    reply = json(200, { welcomes: "no" });
    await assert.rejects(client.sync(), (err) => isClientError(err, "malformed-response"));
    await client.close();
  });
});

async function drain(t: HttpTransport): Promise<void> {
  const controller = new AbortController();
  for await (const _ of t.events(undefined, controller.signal)) {
    // consume
  }
}

describe("event stream parser", () => {
  it("parses fields, comments, multi-line data and every line ending, across chunk boundaries", () => {
    const p = new EventStreamParser();
    const text =
      ': hello\r\nid: 7\r\nevent: message\r\ndata: {"a":\r\ndata: 1}\r\n\r\nevent: welcome\rdata:x\r\rdata: y\n\n';
    const events = [...text].flatMap((ch) => p.push(ch));
    assert.deepEqual(events, [
      { event: "message", data: '{"a":\n1}', id: "7" },
      { event: "welcome", data: "x", id: "7" },
      { event: "message", data: "y", id: "7" },
    ]);
  });

  it("drops events without data and refuses endless lines", () => {
    const p = new EventStreamParser(16);
    assert.deepEqual(p.push("event: lagged\n\n"), []);
    assert.throws(() => p.push("data: 0123456789abcdefgh"), RangeError);
  });
});
