import { mkdtemp, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createKeyPackage, generateSignatureKeyPair, loadSuite, MlsGroup } from "@parley/mls";
import pg from "pg";
import { hashPassword } from "../../src/auth/passwords.js";
import { deviceIdOf, newToken } from "../../src/auth/tokens.js";
import { buildServer, DEFAULT_CONFIG, openStore, type ServerConfig } from "../../src/index.js";

export const POSTGRES_URL = process.env.PARLEY_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/**
 * A running server with one group of `subscribers` member devices plus a sender, and `messages` application
 * messages ready to post. Accounts and memberships are written straight to the store: registering a thousand
 * users through scrypt would dominate the run without measuring anything the benchmark is about.
 */
export async function fixture(backend: "sqlite" | "postgres", subscribers: number, messages: number) {
  const dir = await mkdtemp(join(tmpdir(), "parley-bench-"));
  const schema = `parley_bench_${process.pid}_${Date.now()}`;
  const config: ServerConfig = {
    ...DEFAULT_CONFIG,
    port: 0,
    logLevel: "silent",
    sqlitePath: join(dir, "bench.db"),
    limits: { ...DEFAULT_CONFIG.limits, requestsPerMinute: 10_000_000, sseBacklogBytes: 64 * 1024 * 1024 },
    ...(backend === "postgres" ? { databaseUrl: POSTGRES_URL, databaseSchema: schema } : {}),
  };
  const store = await openStore(config);
  const app = await buildServer(store, config);
  await app.listen({ port: 0, host: "127.0.0.1" });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  const suite = await loadSuite(1);
  const keys = await generateSignatureKeyPair(suite);
  let group = await MlsGroup.create(
    suite,
    await createKeyPackage(suite, { identity: new TextEncoder().encode("sender"), signatureKeyPair: keys }),
  );
  const groupId = Buffer.from(group.groupId).toString("base64url");
  const passwordHash = await hashPassword("bench password");
  const expires = Date.now() + 3600_000;
  const device = async (name: string) => {
    const accountId = await store.createAccount(name, passwordHash);
    const signatureKey = name === "sender" ? keys.publicKey : new TextEncoder().encode(`key of ${name}`);
    const { token, hash } = newToken();
    await store.openSession(accountId, { id: deviceIdOf(signatureKey), signatureKey }, hash, expires);
    return { token, deviceId: deviceIdOf(signatureKey) };
  };
  const sender = await device("sender");
  await store.db.run("INSERT INTO groups (id, epoch, next_seq, created_at) VALUES (?, 0, 1, ?)", [
    groupId,
    Date.now(),
  ]);
  const members = [sender];
  for (let i = 0; i < subscribers; i++) members.push(await device(`member${i}`));
  for (const m of members) {
    await store.db.run("INSERT INTO group_members (group_id, device_id, joined_seq) VALUES (?, ?, 0)", [
      groupId,
      m.deviceId,
    ]);
  }
  const bodies: Uint8Array[] = [];
  for (let i = 0; i < messages; i++) {
    const m = await group.encrypt(new Uint8Array(100).fill(i & 0xff));
    group = m.group;
    bodies.push(m.message);
  }
  return {
    url,
    config,
    groupId,
    sender,
    subscribers: members.slice(1),
    bodies,
    db: store.db,
    async close() {
      await app.close();
      await store.db.close();
      if (backend === "postgres") {
        const client = new pg.Client({ connectionString: POSTGRES_URL });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await client.end();
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
