import assert from "node:assert/strict";
import { connect } from "node:net";
import { describe, test } from "node:test";
import { createKeyPackage, generateSignatureKeyPair, loadSuite, MlsGroup, readVarint } from "@parley/mls";
import { type Backend, call, loginDevice, postgresAvailable, startServer } from "./harness.js";

const backends: Backend[] = ["sqlite", ...((await postgresAvailable()) ? (["postgres"] as const) : [])];
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");

/** An MLS message with its epoch replaced (PrivateMessage and PublicMessage: after version, wire format, group id). */
function withEpoch(message: Uint8Array, epoch: bigint): Uint8Array {
  const copy = new Uint8Array(message);
  const { value, next } = readVarint(copy, 4, "group_id");
  new DataView(copy.buffer).setBigUint64(next + value, epoch);
  return copy;
}

/** Everything a raw HTTP/1.1 exchange returns until the server closes the connection. */
function rawExchange(url: string, request: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(request));
    let received = "";
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => {
      received += chunk;
    });
    socket.on("error", reject);
    socket.on("close", () => resolve(received));
  });
}

for (const backend of backends) {
  describe(`input bounds (${backend})`, () => {
    test("integers beyond the safe range, NUL bytes and non-pattern names are 400, never 500", async () => {
      const server = await startServer(backend);
      const u = server.url;
      try {
        const suite = await loadSuite(1);
        const alice = await loginDevice(u, suite, "alice");
        const group = await MlsGroup.create(suite, await alice.keyPackage());
        const gid = Buffer.from(group.groupId).toString("base64url");
        await call(u, "POST", "/v1/groups", { token: alice.token, body: { groupId: gid } });
        const status = async (path: string, headers: Record<string, string> = {}, method = "GET") =>
          (
            await fetch(`${u}${path}`, {
              method,
              headers: { authorization: `Bearer ${alice.token}`, ...headers },
            })
          ).status;

        const outOfRange = ["1e308", "Infinity", "-Infinity", "99999999999999999999999", "9007199254740992"];
        const malformed = ["-1", "1.5", "NaN", "abc", "1,2"];
        for (const after of [...outOfRange, ...malformed]) {
          const q = encodeURIComponent(after);
          assert.equal(await status(`/v1/groups/${gid}/messages?after=${q}`), 400, `messages after=${after}`);
          assert.equal(await status(`/v1/welcomes?after=${q}`), 400, `welcomes after=${after}`);
          assert.equal(await status(`/v1/events?lastEventId=${q}`, {}, "HEAD"), 400, `lastEventId=${after}`);
          assert.equal(
            await status("/v1/events", { "last-event-id": after }, "HEAD"),
            400,
            `Last-Event-ID ${after}`,
          );
        }
        for (const limit of ["0", "1001", "1e308", "Infinity", "-Infinity"]) {
          assert.equal(await status(`/v1/groups/${gid}/messages?limit=${limit}`), 400, `limit=${limit}`);
        }
        const max = String(Number.MAX_SAFE_INTEGER);
        assert.equal(await status(`/v1/groups/${gid}/messages?after=${max}`), 200, "the maximum itself");
        assert.equal(await status(`/v1/welcomes?after=${max}`), 200);
        assert.equal(await status("/v1/events", { "last-event-id": max }, "HEAD"), 200);

        for (const name of ["%00", "bob%00", "a%2Fb", "%C3%A9", "x".repeat(65), "..", "%20bob"]) {
          const r = await call(u, "POST", `/v1/users/${name}/key-packages/claim`, { token: alice.token });
          assert.ok(r.status === 400 || (name === ".." && r.status === 404), `username ${name}: ${r.status}`);
        }
        assert.equal(
          (await call(u, "POST", "/v1/users/nobody/key-packages/claim", { token: alice.token })).status,
          404,
        );
        assert.equal((await call(u, "DELETE", "/v1/devices/%00", { token: alice.token })).status, 400);
        const nul = { username: "bob\u0000", password: "long enough", signatureKey: "AAAA" };
        assert.equal((await call(u, "POST", "/v1/accounts", { body: nul })).status, 400);
        assert.equal((await call(u, "POST", "/v1/sessions", { body: nul })).status, 400);
      } finally {
        await server.close();
      }
    });

    test("epochs past the safe range are 400; commits naming unknown devices are 400 and store nothing", async () => {
      const server = await startServer(backend);
      const u = server.url;
      try {
        const suite = await loadSuite(1);
        const alice = await loginDevice(u, suite, "alice");
        let a = await MlsGroup.create(suite, await alice.keyPackage());
        const gid = Buffer.from(a.groupId).toString("base64url");
        await call(u, "POST", "/v1/groups", {
          token: alice.token,
          body: { groupId: gid, groupInfo: b64(await a.groupInfo()) },
        });
        const sent = await a.encrypt(new TextEncoder().encode("hi"));
        a = sent.group;
        const post = (body: Uint8Array) =>
          fetch(`${u}/v1/groups/${gid}/messages`, {
            method: "POST",
            headers: { authorization: `Bearer ${alice.token}`, "content-type": "message/mls" },
            body,
          });
        for (const epoch of [2n ** 53n, 2n ** 63n, 2n ** 64n - 1n]) {
          const r = await post(withEpoch(sent.message, epoch));
          assert.equal(r.status, 400, `epoch ${epoch}`);
          assert.match(((await r.json()) as { message: string }).message, /epoch out of range/);
        }
        const commit = await a.commit({ publicMessage: true });
        const groupInfo = b64(await commit.group.groupInfo());
        const commits = (body: object) =>
          call(u, "POST", `/v1/groups/${gid}/commits`, { token: alice.token, body });
        const huge = await commits({ commit: b64(withEpoch(commit.commit, 2n ** 63n)) });
        assert.equal(huge.status, 400);
        // A validly signed key package of a key no account registered.
        const ghostKeys = await generateSignatureKeyPair(suite);
        const ghost = Buffer.from(await crypto.subtle.digest("SHA-256", ghostKeys.publicKey)).toString("hex");
        const ghostPackage = await createKeyPackage(suite, {
          identity: new TextEncoder().encode(`ghost/${ghost}`),
          signatureKeyPair: ghostKeys,
        });
        const addGhost = await a.commit({ add: [ghostPackage.message], publicMessage: true });
        const unknownAdd = await commits({
          commit: b64(addGhost.commit),
          added: [ghost],
          groupInfo: b64(await addGhost.group.groupInfo()),
        });
        assert.equal(unknownAdd.status, 400);
        assert.equal(unknownAdd.body.error, "unknown_device");
        const unknownWelcome = await commits({
          commit: b64(commit.commit),
          groupInfo,
          welcomes: [{ deviceIds: [alice.deviceId, ghost], welcome: b64(commit.commit) }],
        });
        assert.equal(unknownWelcome.status, 400);
        assert.equal((await commits({ commit: b64(commit.commit), added: ["not-hex"] })).status, 400);
        const state = await call(u, "GET", `/v1/groups/${gid}`, { token: alice.token });
        assert.deepEqual(state.body, { epoch: 0, nextSeq: 1 }, "nothing stored");
        assert.equal((await post(sent.message)).status, 201, "the real message still goes in");
      } finally {
        await server.close();
      }
    });

    test("HEAD answers every GET route with its status and no body; HEAD /v1/events streams nothing", async () => {
      const server = await startServer(backend);
      const u = server.url;
      try {
        const suite = await loadSuite(1);
        const alice = await loginDevice(u, suite, "alice");
        const group = await MlsGroup.create(suite, await alice.keyPackage());
        const gid = Buffer.from(group.groupId).toString("base64url");
        await call(u, "POST", "/v1/groups", {
          token: alice.token,
          body: { groupId: gid, groupInfo: b64(await group.groupInfo()) },
        });
        const doc = await call(u, "GET", "/openapi.json");
        const paths = Object.entries(doc.body.paths as Record<string, Record<string, unknown>>)
          .filter(([, methods]) => "get" in methods)
          .map(([path]) => path.replace("{groupId}", gid));
        assert.ok(paths.length >= 7, `GET routes in the document: ${paths.length}`);
        for (const path of [...paths, "/health", "/openapi.json", "/docs/", "/nowhere"]) {
          for (const token of [alice.token, "bogus"]) {
            const headers = { authorization: `Bearer ${token}` };
            const head = await fetch(`${u}${path}`, { method: "HEAD", headers });
            assert.equal(await head.text(), "", `HEAD ${path}: no body`);
            if (path === "/v1/events") {
              assert.equal(head.status, token === "bogus" ? 401 : 200);
              continue;
            }
            const get = await fetch(`${u}${path}`, { headers });
            await get.arrayBuffer();
            assert.equal(head.status, get.status, `HEAD ${path} as GET`);
          }
        }
        const raw = await rawExchange(
          u,
          `HEAD /v1/events HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${alice.token}\r\nconnection: close\r\n\r\n`,
        );
        const [head, ...rest] = raw.split("\r\n\r\n");
        assert.match(head ?? "", /^HTTP\/1\.1 200 /);
        assert.match(head ?? "", /content-type: text\/event-stream/);
        assert.equal(rest.join(""), "", "no event stream after the headers");
      } finally {
        await server.close();
      }
    });
  });
}
