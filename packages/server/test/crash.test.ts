import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { createKeyPackage, generateSignatureKeyPair, loadSuite, MlsGroup } from "@parley/mls";
import { Changes } from "@parley/testkit";
import pg from "pg";
import { type Backend, call, postgresAvailable } from "./harness.js";

const CLI = resolve(dirname(fileURLToPath(import.meta.url)), "../../../cli/dist/src/main.js");
const POSTGRES_URL = process.env.PARLEY_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");

/** `parley server` as a real child process; resolves with its base URL once it logs where it listens. */
function launch(env: Record<string, string>, db: string): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolveLaunch, reject) => {
    const child = spawn(process.execPath, [CLI, "server", "--port", "0", "--db", db], {
      env: { ...process.env, ...env, PARLEY_LOG_LEVEL: "info" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const url = out.match(/parley server listening on (http:\/\/127\.0\.0\.1:\d+)/)?.[1];
      if (url) resolveLaunch({ child, url });
    });
    child.on("exit", (code) => reject(new Error(`server exited (${code}) before ready: ${out.slice(-500)}`)));
  });
}

const backends: Backend[] = ["sqlite", ...((await postgresAvailable()) ? (["postgres"] as const) : [])];

for (const backend of backends) {
  describe(`crash safety (${backend})`, () => {
    test("SIGKILL during a write load: every acknowledged message survives, no gaps, no duplicates", async (t) => {
      const dir = await mkdtemp(join(tmpdir(), "parley-crash-"));
      const schema = `parley_crash_${process.pid}_${Date.now()}`;
      const env: Record<string, string> =
        backend === "postgres" ? { PARLEY_DATABASE_URL: POSTGRES_URL, PARLEY_DATABASE_SCHEMA: schema } : {};
      const db = join(dir, "parley.db");
      let server = await launch(env, db);
      try {
        const suite = await loadSuite(1);
        const keys = await generateSignatureKeyPair(suite);
        await call(server.url, "POST", "/v1/accounts", {
          body: { username: "alice", password: "alice password" },
        });
        const login = await call(server.url, "POST", "/v1/sessions", {
          body: { username: "alice", password: "alice password", signatureKey: b64(keys.publicKey) },
        });
        const token = String(login.body.token);
        let group = await MlsGroup.create(
          suite,
          await createKeyPackage(suite, {
            identity: new TextEncoder().encode("alice"),
            signatureKeyPair: keys,
          }),
        );
        const gid = Buffer.from(group.groupId).toString("base64url");
        await call(server.url, "POST", "/v1/groups", { token, body: { groupId: gid } });
        const messages: Uint8Array[] = [];
        for (let i = 0; i < 3000; i++) {
          const m = await group.encrypt(new TextEncoder().encode(`message ${i}`));
          group = m.group;
          messages.push(m.message);
        }

        // Eight concurrent writers; the server is killed mid-stream, once a tenth of the messages are in.
        const acknowledged = new Map<number, string>();
        const changes = new Changes();
        let next = 0;
        const writer = async (url: string) => {
          while (next < messages.length) {
            const message = messages[next++] as Uint8Array;
            try {
              const r = await fetch(`${url}/v1/groups/${gid}/messages`, {
                method: "POST",
                headers: { authorization: `Bearer ${token}`, "content-type": "message/mls" },
                body: message,
              });
              if (r.status === 201) acknowledged.set(((await r.json()) as { seq: number }).seq, b64(message));
              changes.notify();
            } catch {
              return; // the server is gone
            }
          }
        };
        const load = Promise.all(Array.from({ length: 8 }, () => writer(server.url)));
        const killAt = messages.length / 10;
        await changes.until(() => acknowledged.size >= killAt, `${killAt} acknowledged writes`, {
          state: () => `${acknowledged.size} acknowledged`,
        });
        server.child.kill("SIGKILL");
        await load;
        assert.ok(acknowledged.size > 0, "some writes were acknowledged before the kill");

        server = await launch(env, db);
        const stored = new Map<number, string>();
        for (let after = 0; ; ) {
          const page = await call(server.url, "GET", `/v1/groups/${gid}/messages?after=${after}&limit=1000`, {
            token,
          });
          const list = page.body.messages as { seq: number; message: string }[];
          if (list.length === 0) break;
          for (const m of list) {
            assert.ok(!stored.has(m.seq), `duplicate seq ${m.seq}`);
            stored.set(m.seq, m.message);
          }
          after = (list.at(-1) as { seq: number }).seq;
        }
        for (const [seq, message] of acknowledged)
          assert.equal(stored.get(seq), message, `acknowledged seq ${seq} survived`);
        const seqs = [...stored.keys()];
        assert.deepEqual(
          seqs,
          Array.from({ length: seqs.length }, (_, i) => i + 1),
          "dense from 1, no gaps",
        );
        t.diagnostic(`${acknowledged.size} acknowledged before SIGKILL, ${stored.size} stored after restart`);
        // The group keeps working after the restart.
        const after = await group.encrypt(new TextEncoder().encode("after restart"));
        const r = await fetch(`${server.url}/v1/groups/${gid}/messages`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "message/mls" },
          body: after.message,
        });
        assert.equal(r.status, 201);
        assert.deepEqual(await r.json(), { seq: seqs.length + 1 });
      } finally {
        server.child.kill("SIGKILL");
        await rm(dir, { recursive: true, force: true });
        if (backend === "postgres") {
          const client = new pg.Client({ connectionString: POSTGRES_URL });
          await client.connect();
          await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
          await client.end();
        }
      }
    });
  });
}
