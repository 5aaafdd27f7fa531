import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, test } from "node:test";
import { createKeyPackage, generateSignatureKeyPair, loadSuite } from "@parley/mls";
import { DEFAULT_CONFIG } from "../src/index.js";
import { type Backend, call, postgresAvailable, startServer } from "./harness.js";

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");

async function device(name: string) {
  const suite = await loadSuite(1);
  const keys = await generateSignatureKeyPair(suite);
  const deviceId = createHash("sha256").update(keys.publicKey).digest("hex");
  const identity = new TextEncoder().encode(`${name}/${deviceId}`);
  return {
    keys,
    keyPackage: async (lastResort = false) =>
      (await createKeyPackage(suite, { identity, signatureKeyPair: keys, lastResort })).message,
  };
}

const backends: Backend[] = ["sqlite", ...((await postgresAvailable()) ? (["postgres"] as const) : [])];
if (!backends.includes("postgres")) console.log("# PostgreSQL unreachable: its API tests are skipped");

for (const backend of backends) {
  describe(`accounts and key packages (${backend})`, () => {
    test("register, log in, log out, change password, and every refusal", async () => {
      const server = await startServer(backend, { registrationToken: "letmein" });
      try {
        const u = server.url;
        const alice = await device("alice");
        const register = (body: unknown) => call(u, "POST", "/v1/accounts", { body });
        assert.equal(
          (await register({ username: "alice", password: "correct horse" })).status,
          403,
          "no token",
        );
        assert.equal(
          (await register({ username: "alice", password: "correct horse", registrationToken: "letmein" }))
            .status,
          201,
        );
        assert.equal(
          (await register({ username: "alice", password: "other pass", registrationToken: "letmein" }))
            .status,
          409,
        );
        assert.equal(
          (await register({ username: "bob", password: "short", registrationToken: "letmein" })).status,
          400,
        );
        assert.equal(
          (await register({ username: "bad name!", password: "long enough", registrationToken: "letmein" }))
            .status,
          400,
        );
        assert.equal(
          (
            await register({
              username: "bob",
              password: "long enough",
              registrationToken: "letmein",
              extra: 1,
            })
          ).status,
          400,
        );
        const bad = await call(u, "POST", "/v1/accounts", {
          raw: "{not json",
          contentType: "application/json",
        });
        assert.equal(bad.status, 400);
        assert.equal(typeof bad.body.error, "string");
        assert.equal(
          (await call(u, "POST", "/v1/accounts", { raw: "x=1", contentType: "text/plain" })).status,
          415,
        );

        const login = (password: string, key = alice.keys.publicKey) =>
          call(u, "POST", "/v1/sessions", { body: { username: "alice", password, signatureKey: b64(key) } });
        assert.equal((await login("wrong password")).status, 401);
        const unknown = await call(u, "POST", "/v1/sessions", {
          body: { username: "nobody", password: "whatever1", signatureKey: b64(alice.keys.publicKey) },
        });
        assert.equal(unknown.status, 401);
        const first = await login("correct horse");
        assert.equal(first.status, 201);
        assert.equal(typeof first.body.token, "string");
        const second = await login("correct horse");
        assert.equal(second.body.deviceId, first.body.deviceId, "a device is its signature key");
        const token = String(first.body.token);

        assert.equal((await call(u, "GET", "/v1/key-packages/count")).status, 401, "no token");
        assert.equal((await call(u, "GET", "/v1/key-packages/count", { token: "bogus" })).status, 401);
        assert.equal((await call(u, "GET", "/v1/key-packages/count", { token })).status, 200);

        // Another account may not claim alice's device key.
        await register({ username: "mallory", password: "mallory pass", registrationToken: "letmein" });
        const stolen = await call(u, "POST", "/v1/sessions", {
          body: { username: "mallory", password: "mallory pass", signatureKey: b64(alice.keys.publicKey) },
        });
        assert.equal(stolen.status, 409);

        const change = (current: string, next: string) =>
          call(u, "PUT", "/v1/account/password", {
            token,
            body: { currentPassword: current, newPassword: next },
          });
        assert.equal((await change("not it at all", "brand new pass")).status, 403);
        assert.equal((await change("correct horse", "brand new pass")).status, 204);
        assert.equal(
          (await call(u, "GET", "/v1/key-packages/count", { token: String(second.body.token) })).status,
          401,
          "other sessions end",
        );
        assert.equal(
          (await call(u, "GET", "/v1/key-packages/count", { token })).status,
          200,
          "this one stays",
        );
        assert.equal((await login("correct horse")).status, 401);
        assert.equal((await login("brand new pass")).status, 201);

        assert.equal((await call(u, "DELETE", "/v1/sessions/current", { token })).status, 204);
        assert.equal((await call(u, "GET", "/v1/key-packages/count", { token })).status, 401, "logged out");
      } finally {
        await server.close();
      }
    });

    test("per-token rate limit", async () => {
      const server = await startServer(backend, {
        limits: { ...DEFAULT_CONFIG.limits, requestsPerMinute: 5 },
      });
      try {
        const d = await device("rita");
        await call(server.url, "POST", "/v1/accounts", {
          body: { username: "rita", password: "rita password" },
        });
        const { body } = await call(server.url, "POST", "/v1/sessions", {
          body: { username: "rita", password: "rita password", signatureKey: b64(d.keys.publicKey) },
        });
        const statuses = [];
        for (let i = 0; i < 7; i++) {
          statuses.push(
            (await call(server.url, "GET", "/v1/key-packages/count", { token: String(body.token) })).status,
          );
        }
        assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429]);
      } finally {
        await server.close();
      }
    });

    test("tokens expire", async () => {
      const server = await startServer(backend, { tokenLifetimeMs: 50 });
      try {
        const d = await device("eve");
        await call(server.url, "POST", "/v1/accounts", {
          body: { username: "eve", password: "eve password" },
        });
        const { body } = await call(server.url, "POST", "/v1/sessions", {
          body: { username: "eve", password: "eve password", signatureKey: b64(d.keys.publicKey) },
        });
        await new Promise((r) => setTimeout(r, 80));
        assert.equal(
          (await call(server.url, "GET", "/v1/key-packages/count", { token: String(body.token) })).status,
          401,
        );
      } finally {
        await server.close();
      }
    });

    test("key packages: validated upload, one-time claims per device, last resort, concurrent claims", async () => {
      const server = await startServer(backend, {
        limits: {
          ...DEFAULT_CONFIG.limits,
          bodyBytes: 256 * 1024,
          keyPackageBytes: 4096,
          keyPackagesPerUpload: 50,
          // This test is about atomic claims; claim rates are tested in claims.test.ts.
          claimsPerPairPerHour: 1000,
          claimsPerTargetPerHour: 1000,
          lastResortClaimsPerHour: 1000,
        },
      });
      try {
        const u = server.url;
        const session = async (username: string, d: Awaited<ReturnType<typeof device>>) => {
          await call(u, "POST", "/v1/accounts", { body: { username, password: `${username} password` } });
          const r = await call(u, "POST", "/v1/sessions", {
            body: { username, password: `${username} password`, signatureKey: b64(d.keys.publicKey) },
          });
          return String(r.body.token);
        };
        const phone = await device("bob");
        const laptop = await device("bob");
        const bobPhone = await session("bob", phone);
        const bobLaptop = String(
          (
            await call(u, "POST", "/v1/sessions", {
              body: { username: "bob", password: "bob password", signatureKey: b64(laptop.keys.publicKey) },
            })
          ).body.token,
        );
        const carol = await session("carol", await device("carol"));

        const upload = (token: string, body: unknown) => call(u, "POST", "/v1/key-packages", { token, body });
        const phonePackages = await Promise.all(Array.from({ length: 20 }, () => phone.keyPackage()));
        assert.equal(
          (
            await upload(bobPhone, {
              keyPackages: phonePackages.map(b64),
              lastResort: b64(await phone.keyPackage(true)),
            })
          ).status,
          201,
        );
        assert.equal(
          (await upload(bobLaptop, { keyPackages: [b64(await laptop.keyPackage())] })).status,
          201,
        );
        assert.deepEqual((await call(u, "GET", "/v1/key-packages/count", { token: bobPhone })).body, {
          available: 20,
          lastResort: true,
        });

        // Refusals: not MLS, another device's package, last-resort flag mismatch, too large, too many, no token.
        assert.equal(
          (await upload(bobPhone, { keyPackages: [b64(new TextEncoder().encode("not a key package"))] }))
            .status,
          400,
        );
        assert.equal((await upload(bobPhone, { keyPackages: [b64(await laptop.keyPackage())] })).status, 400);
        assert.equal(
          (await upload(bobPhone, { keyPackages: [b64(await phone.keyPackage(true))] })).status,
          400,
        );
        assert.equal(
          (await upload(bobPhone, { keyPackages: [], lastResort: b64(await phone.keyPackage()) })).status,
          400,
        );
        const truncated = (await phone.keyPackage()).subarray(0, 60);
        assert.equal((await upload(bobPhone, { keyPackages: [b64(truncated)] })).status, 400);
        assert.equal((await upload(bobPhone, { keyPackages: [b64(new Uint8Array(5000))] })).status, 413);
        assert.equal((await upload(bobPhone, { keyPackages: Array(51).fill("AAAA") })).status, 400);
        assert.equal(
          (await upload(bobPhone, { keyPackages: [b64(new Uint8Array(300_000))] })).status,
          413,
          "body limit",
        );
        assert.equal((await upload(bobPhone, { keyPackages: ["!!!"] })).status, 400, "not base64");
        assert.equal((await upload("nope", { keyPackages: [] })).status, 401);
        assert.deepEqual((await call(u, "GET", "/v1/key-packages/count", { token: bobPhone })).body, {
          available: 20,
          lastResort: true,
        });

        // One package per device; the laptop's single package goes once, then the laptop has none.
        const claim = () => call(u, "POST", "/v1/users/bob/key-packages/claim", { token: carol });
        const firstClaim = (await claim()).body.keyPackages as { deviceId: string; keyPackage: string }[];
        assert.equal(firstClaim.length, 2);
        const secondClaim = (await claim()).body.keyPackages as { deviceId: string; keyPackage: string }[];
        assert.equal(secondClaim.length, 1, "the laptop has nothing left and no last resort");
        assert.equal(
          (await call(u, "POST", "/v1/users/nobody/key-packages/claim", { token: carol })).status,
          404,
        );

        // 40 concurrent claims against the phone's remaining 18: each regular package exactly once.
        const results = await Promise.all(Array.from({ length: 40 }, () => claim()));
        const handed = results.flatMap((r) =>
          (r.body.keyPackages as { keyPackage: string }[]).map((k) => k.keyPackage),
        );
        const lastResort = handed.filter((k) => !phonePackages.some((p) => b64(p) === k));
        const regular = handed.filter((k) => phonePackages.some((p) => b64(p) === k));
        assert.equal(new Set(regular).size, regular.length, "no regular package handed out twice");
        assert.equal(regular.length, 18);
        assert.equal(lastResort.length, 22, "the rest got the last-resort package");
        assert.equal(new Set(lastResort).size, 1);
        assert.deepEqual((await call(u, "GET", "/v1/key-packages/count", { token: bobPhone })).body, {
          available: 0,
          lastResort: true,
        });
      } finally {
        await server.close();
      }
    });

    test("OpenAPI document and docs page", async () => {
      const server = await startServer(backend);
      try {
        const doc = await call(server.url, "GET", "/openapi.json");
        assert.equal(doc.status, 200);
        const paths = Object.keys(doc.body.paths as object);
        for (const p of [
          "/v1/accounts",
          "/v1/sessions",
          "/v1/key-packages",
          "/v1/users/{username}/key-packages/claim",
        ]) {
          assert.ok(paths.includes(p), p);
        }
        const docs = await fetch(`${server.url}/docs/`);
        assert.equal(docs.status, 200);
        assert.equal((await call(server.url, "GET", "/nowhere")).status, 404);
      } finally {
        await server.close();
      }
    });
  });
}
