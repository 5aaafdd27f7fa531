import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createKeyPackage, loadSuite } from "@parley/mls";
import { type Backend, call, loginDevice, postgresAvailable, startServer } from "./harness.js";

const backends: Backend[] = ["sqlite", ...((await postgresAvailable()) ? (["postgres"] as const) : [])];
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
const text = (s: string) => new TextEncoder().encode(s);

for (const backend of backends) {
  describe(`key package credentials (${backend})`, () => {
    test("a device uploads only key packages whose credential is its own username/deviceId", async () => {
      const server = await startServer(backend);
      try {
        const suite = await loadSuite(1);
        const u = server.url;
        const bob = await loginDevice(u, suite, "bob");
        const mallory = await loginDevice(u, suite, "mallory");
        const malloryPhone = await loginDevice(u, suite, "mallory");
        const as = async (identity: string, lastResort = false) =>
          b64(
            (
              await createKeyPackage(suite, {
                identity: text(identity),
                signatureKeyPair: mallory.keys,
                lastResort,
              })
            ).message,
          );
        const upload = (body: unknown) => call(u, "POST", "/v1/key-packages", { token: mallory.token, body });
        const own = await as(`mallory/${mallory.deviceId}`);
        const forged = [
          `bob/${mallory.deviceId}`,
          `bob/${bob.deviceId}`,
          `mallory/${malloryPhone.deviceId}`,
          "mallory",
          `mallory/${mallory.deviceId}/`,
          `Mallory/${mallory.deviceId}`,
          `mallory/${mallory.deviceId.toUpperCase()}`,
        ];
        for (const identity of forged) {
          const refused = await upload({ keyPackages: [own, await as(identity)] });
          assert.equal(refused.status, 400, identity);
          assert.equal(refused.body.error, "credential_mismatch", identity);
          assert.match(String(refused.body.message), /key package 1: its credential must be/);
          const lastResort = await upload({ keyPackages: [own], lastResort: await as(identity, true) });
          assert.equal(lastResort.body.error, "credential_mismatch", `last resort ${identity}`);
        }
        const count = await call(u, "GET", "/v1/key-packages/count", { token: mallory.token });
        assert.deepEqual(count.body, { available: 0, lastResort: false }, "a refused batch stores nothing");
        const claimed = await call(u, "POST", "/v1/users/bob/key-packages/claim", { token: mallory.token });
        assert.deepEqual(claimed.body.keyPackages, [], "bob has no packages from mallory");

        const accepted = await upload({
          keyPackages: [own],
          lastResort: await as(`mallory/${mallory.deviceId}`, true),
        });
        assert.equal(accepted.status, 201);
        assert.equal(accepted.body.stored, 2);
      } finally {
        await server.close();
      }
    });
  });
}
