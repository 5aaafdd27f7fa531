import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createKeyPackage, loadSuite } from "@parley/mls";
import { DEFAULT_CONFIG, type ServerConfig } from "../src/index.js";
import { manualClock } from "./clock.js";
import { type Backend, call, loginDevice, postgresAvailable, startServer } from "./harness.js";

const backends: Backend[] = ["sqlite", ...((await postgresAvailable()) ? (["postgres"] as const) : [])];
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");

async function claimServer(backend: Backend, limits: Partial<ServerConfig["limits"]> = {}) {
  const clock = manualClock();
  const server = await startServer(backend, {
    now: clock.now,
    limits: { ...DEFAULT_CONFIG.limits, ...limits },
  });
  const suite = await loadSuite(1);
  const device = (name: string) => loginDevice(server.url, suite, name);
  const lastResortPackage = async (d: Awaited<ReturnType<typeof device>>) => {
    const identity = new TextEncoder().encode(`${d.credentials.username}/${d.deviceId}`);
    return (await createKeyPackage(suite, { identity, signatureKeyPair: d.keys, lastResort: true })).message;
  };
  const upload = async (d: Awaited<ReturnType<typeof device>>, count: number, lastResort = false) => {
    const packages = await Promise.all(Array.from({ length: count }, () => d.keyPackage()));
    const body = {
      keyPackages: packages.map((p) => b64(p.message)),
      ...(lastResort ? { lastResort: b64(await lastResortPackage(d)) } : {}),
    };
    return call(server.url, "POST", "/v1/key-packages", { token: d.token, body });
  };
  const claim = async (token: string, username: string) => {
    const r = await fetch(`${server.url}/v1/users/${username}/key-packages/claim`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
    });
    const body = (await r.json()) as { keyPackages?: unknown[]; error?: string };
    return { status: r.status, retryAfter: r.headers.get("retry-after"), body };
  };
  return { server, clock, device, upload, claim };
}

for (const backend of backends) {
  describe(`key package claim limits (${backend})`, () => {
    test("the 11th claim of bob's packages by alice within the hour is 429; carol's are her own", async () => {
      const { server, clock, device, upload, claim } = await claimServer(backend);
      try {
        const bob = await device("bob");
        const alice = await device("alice");
        const carol = await device("carol");
        assert.equal((await upload(bob, 30)).status, 201);
        const statuses = [];
        for (let i = 0; i < 11; i++) statuses.push((await claim(alice.token, "bob")).status);
        assert.deepEqual(statuses, [...Array(10).fill(200), 429]);
        const refused = await claim(alice.token, "bob");
        assert.equal(refused.body.error, "claim_limited");
        assert.equal(refused.retryAfter, "360", "one claim more every 6 minutes");
        const count = await call(server.url, "GET", "/v1/key-packages/count", { token: bob.token });
        assert.equal(count.body.available, 20, "the refusals took nothing");
        assert.equal((await claim(carol.token, "bob")).status, 200, "another claimer has its own budget");
        assert.equal((await claim(alice.token, "nobody")).status, 404, "other users are separate pairs");
        clock.advance(360_000);
        assert.equal((await claim(alice.token, "bob")).status, 200);
        assert.equal((await claim(alice.token, "bob")).status, 429);
      } finally {
        await server.close();
      }
    });

    test("per claimer across users, and per user across claimers", async () => {
      const { server, device, upload, claim } = await claimServer(backend, {
        claimsPerClaimerPerHour: 3,
        claimsPerTargetPerHour: 4,
      });
      try {
        const [alice, bob, carol, dave, erin] = [
          await device("alice"),
          await device("bob"),
          await device("carol"),
          await device("dave"),
          await device("erin"),
        ];
        await upload(bob, 10);
        const byAlice = [];
        for (const user of ["bob", "carol", "dave", "erin"])
          byAlice.push((await claim(alice.token, user)).status);
        assert.deepEqual(byAlice, [200, 200, 200, 429], "alice: 3 claims an hour, whoever from");
        const ofBob = [];
        for (const claimer of [carol, dave, erin]) ofBob.push((await claim(claimer.token, "bob")).status);
        assert.deepEqual(ofBob, [200, 200, 200], "bob's 2nd to 4th claims");
        const fifth = await claim(bob.token, "bob");
        assert.equal(fifth.status, 429, "bob's packages: 4 claims an hour, by anyone");
        assert.equal(fifth.retryAfter, "900");
      } finally {
        await server.close();
      }
    });

    test("the last-resort package: only once no one-time package is left, at most 2 times an hour here", async () => {
      const { server, clock, device, upload, claim } = await claimServer(backend, {
        lastResortClaimsPerHour: 2,
      });
      try {
        const bob = await device("bob");
        const alice = await device("alice");
        const carol = await device("carol");
        assert.equal((await upload(bob, 2, true)).status, 201);
        const handed: string[] = [];
        for (let i = 0; i < 4; i++) {
          const r = await claim(alice.token, "bob");
          assert.equal(r.status, 200);
          handed.push(...(r.body.keyPackages as { keyPackage: string }[]).map((k) => k.keyPackage));
        }
        assert.equal(new Set(handed).size, 3, "2 one-time packages, then the last-resort one twice");
        assert.equal(handed[2], handed[3]);
        const withheld = await claim(carol.token, "bob");
        assert.equal(withheld.status, 429, "a third last-resort hand-out within the hour");
        assert.equal(withheld.body.error, "claim_limited");
        assert.equal(withheld.retryAfter, "1800");
        const phone = await device("bob");
        await upload(phone, 1);
        const partial = await claim(carol.token, "bob");
        assert.equal(partial.status, 200, "a device with packages is still served");
        assert.equal(partial.body.keyPackages?.length, 1, "the other device's last-resort package withheld");
        clock.advance(1_800_000);
        const again = await claim(carol.token, "bob");
        assert.equal(again.status, 200, "refilled after half an hour");
        assert.equal(again.body.keyPackages?.length, 1);
      } finally {
        await server.close();
      }
    });
  });
}
