import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { sameSecret } from "../src/auth/tokens.js";
import { DEFAULT_CONFIG, type ServerConfig } from "../src/index.js";
import { manualClock } from "./clock.js";
import { type Backend, call, postgresAvailable, startServer } from "./harness.js";

const backends: Backend[] = ["sqlite", ...((await postgresAvailable()) ? (["postgres"] as const) : [])];
const KEY = Buffer.alloc(32, 7).toString("base64");

async function throttled(backend: Backend, limits: Partial<ServerConfig["limits"]> = {}, extra = {}) {
  const clock = manualClock();
  const server = await startServer(backend, {
    now: clock.now,
    limits: { ...DEFAULT_CONFIG.limits, ...limits },
    ...extra,
  });
  const register = (username: string, registrationToken?: string) =>
    call(server.url, "POST", "/v1/accounts", {
      body: {
        username,
        password: `${username} password`,
        ...(registrationToken ? { registrationToken } : {}),
      },
    });
  const login = async (username: string, password: string) => {
    const r = await fetch(`${server.url}/v1/sessions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username, password, signatureKey: KEY }),
    });
    const body = (await r.json()) as Record<string, unknown>;
    return { status: r.status, retryAfter: r.headers.get("retry-after"), body };
  };
  return { server, clock, register, login };
}

test("registration tokens are compared in constant time over hashes", () => {
  assert.ok(sameSecret("letmein", "letmein"));
  assert.ok(!sameSecret("letmeim", "letmein"));
  assert.ok(!sameSecret("", "letmein"));
  assert.ok(!sameSecret("letmein-and-more", "letmein"), "lengths may differ");
});

for (const backend of backends) {
  describe(`login and registration throttling (${backend})`, () => {
    test("5 free failures per account, then 1 s doubling; a success resets the account", async () => {
      const { server, clock, register, login } = await throttled(backend);
      try {
        await register("alice");
        const failures = [];
        for (let i = 0; i < 5; i++) failures.push((await login("alice", "wrong password")).status);
        assert.deepEqual(failures, [401, 401, 401, 401, 401]);
        const sixth = await login("alice", "alice password");
        assert.equal(sixth.status, 429, "the 6th within a minute, even with the right password");
        assert.equal(sixth.retryAfter, "1");
        assert.equal(sixth.body.error, "login_throttled");
        assert.equal(sixth.body.retryAfter, 1);
        assert.doesNotMatch(JSON.stringify(sixth.body), /alice password/, "no secret in the refusal");

        clock.advance(1000);
        assert.equal((await login("alice", "wrong password")).status, 401, "allowed again after 1 s");
        const doubled = await login("alice", "alice password");
        assert.equal(doubled.status, 429);
        assert.equal(doubled.retryAfter, "2", "the 6th failure doubles the wait");
        clock.advance(2000);
        assert.equal(
          (await login("alice", "alice password")).status,
          201,
          "the right password after the wait",
        );
        const afterReset = [];
        for (let i = 0; i < 5; i++) afterReset.push((await login("alice", "wrong password")).status);
        assert.deepEqual(afterReset, [401, 401, 401, 401, 401], "the success reset the account's count");
        assert.equal((await login("alice", "wrong password")).status, 429);

        for (let i = 0; i < 5; i++) await login("nobody", "wrong password");
        assert.equal((await login("nobody", "wrong password")).status, 429, "unknown usernames alike");
      } finally {
        await server.close();
      }
    });

    test("concurrent guesses: 30 at once, 5 reach the password hash, 25 get 429", async () => {
      const { server, register, login } = await throttled(backend);
      try {
        await register("alice");
        const statuses = await Promise.all(Array.from({ length: 30 }, () => login("alice", "guess1234")));
        const count = (s: number) => statuses.filter((r) => r.status === s).length;
        assert.deepEqual([count(401), count(429)], [5, 25]);
      } finally {
        await server.close();
      }
    });

    test("per address: failures across usernames count; its own success only takes back one", async () => {
      const { server, clock, register, login } = await throttled(backend, { loginFreeFailuresPerAddress: 8 });
      try {
        await register("alice");
        assert.equal((await login("alice", "alice password")).status, 201);
        for (let i = 0; i < 8; i++) {
          assert.equal((await login(`user${i}`, "wrong password")).status, 401, `username ${i}`);
        }
        const fresh = await login("user-fresh", "wrong password");
        assert.equal(fresh.status, 429, "the 9th failure from the address, whatever the username");
        assert.equal(fresh.retryAfter, "1");
        assert.equal((await login("alice", "alice password")).status, 429, "the address is backing off");
        clock.advance(1000);
        assert.equal((await login("alice", "alice password")).status, 201);
        assert.equal(
          (await login("user-next", "wrong password")).status,
          429,
          "8 failures remain: 1 s again",
        );
      } finally {
        await server.close();
      }
    });

    test("a password change draws on the account's budget", async () => {
      const { server, register, login } = await throttled(backend);
      try {
        await register("alice");
        const token = String((await login("alice", "alice password")).body.token);
        const change = (currentPassword: string) =>
          call(server.url, "PUT", "/v1/account/password", {
            token,
            body: { currentPassword, newPassword: "a new password" },
          });
        const wrong = [];
        for (let i = 0; i < 5; i++) wrong.push((await change("not the password")).status);
        assert.deepEqual(wrong, [403, 403, 403, 403, 403]);
        const sixth = await change("alice password");
        assert.equal(sixth.status, 429);
        assert.equal(sixth.body.error, "login_throttled");
        assert.equal((await login("alice", "alice password")).status, 429, "logins share it");
      } finally {
        await server.close();
      }
    });

    test("registrations: 3 per address per hour here; bad registration tokens back off", async () => {
      const open = await throttled(backend, { registrationsPerAddressPerHour: 3 });
      try {
        const statuses = [];
        for (const name of ["a1", "a2", "a3", "a4"]) statuses.push((await open.register(name)).status);
        assert.deepEqual(statuses, [201, 201, 201, 429]);
        const fourth = await open.register("a5");
        assert.equal(fourth.body.error, "registration_throttled");
        assert.equal(fourth.body.retryAfter, 1200, "an hour / 3");
        open.clock.advance(1_200_000);
        assert.equal((await open.register("a5")).status, 201);
      } finally {
        await open.server.close();
      }
      const closed = await throttled(
        backend,
        { loginFreeFailuresPerAddress: 3 },
        { registrationToken: "letmein" },
      );
      try {
        const statuses = [];
        for (const token of ["letmeout", "x", "letmein-not", "letmein"]) {
          statuses.push((await closed.register("bob", token)).status);
        }
        assert.deepEqual(statuses, [403, 403, 403, 429], "3 wrong tokens, then the address waits");
        closed.clock.advance(1000);
        assert.equal((await closed.register("bob", "letmein")).status, 201);
      } finally {
        await closed.server.close();
      }
    });
  });
}
