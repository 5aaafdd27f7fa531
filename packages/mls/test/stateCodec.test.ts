import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeGroup, encodeGroup, loadSuite, MlsGroup, ParleyMlsError } from "../src/index.js";
import { testClient, text } from "./members.js";

const failsWith = (code: string, pattern: RegExp) => (e: unknown) =>
  e instanceof ParleyMlsError && e.code === code && pattern.test(e.message);

test("saved state round-trips and refuses anything that is not this format and engine", async () => {
  const suite = await loadSuite(1);
  const alice = await testClient(suite, "alice");
  const group = await MlsGroup.create(suite, await alice.keyPackage());
  const saved = encodeGroup(group);
  assert.equal(Buffer.from(saved.subarray(0, 4)).toString(), "PMLS");
  const loaded = await decodeGroup(saved);
  assert.deepEqual(loaded.epochAuthenticator, group.epochAuthenticator);
  assert.deepEqual(await loaded.exportSecret("x", text(""), 16), await group.exportSecret("x", text(""), 16));
  assert.deepEqual(encodeGroup(loaded), saved);

  await assert.rejects(decodeGroup(text("{}")), failsWith("state-format", /magic 7b7d, expected 504d4c53/));
  await assert.rejects(decodeGroup(new Uint8Array()), failsWith("state-format", /magic nothing/));

  const otherFormat = saved.slice();
  otherFormat[5] = 9;
  await assert.rejects(decodeGroup(otherFormat), failsWith("state-format", /format 9; this build reads 1/));

  const otherEngine = saved.slice();
  otherEngine.set(text("ts-mls@9.9.9"), 7);
  await assert.rejects(
    decodeGroup(otherEngine),
    failsWith("state-format", /written by ts-mls@9\.9\.9; this build runs ts-mls@1\.6\.4/),
  );

  await assert.rejects(decodeGroup(saved.subarray(0, 10)), failsWith("truncated", /cut short/));
  await assert.rejects(
    decodeGroup(saved.subarray(0, saved.length - 5)),
    failsWith("malformed", /does not decode/),
  );
  const trailing = new Uint8Array(saved.length + 1);
  trailing.set(saved);
  await assert.rejects(decodeGroup(trailing), failsWith("malformed", /does not decode/));
});
