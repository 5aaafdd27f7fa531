import assert from "node:assert/strict";
import { test } from "node:test";
import * as davey from "@snazzah/davey";
import * as root from "../../src/index.js";

/*
 * Compile-time: everything davey declares, the package root provides with assignable types (this file does not
 * build otherwise). Run time: the same names and enum values, at the root and at the "./davey" subpath.
 */

const constructors: (typeof davey.DAVESession)[] = [root.DAVESession];
const functions: Pick<
  typeof davey,
  "generateDisplayableCode" | "generateKeyFingerprint" | "generateP256Keypair" | "generatePairwiseFingerprint"
> = root;
const constants: Pick<typeof davey, "DAVE_PROTOCOL_VERSION" | "DEBUG_BUILD" | "VERSION"> = root;
const instance: davey.DaveSession = new root.DAVESession(1, "1", "2");
const stats: [davey.EncryptionStats | null, davey.DecryptionStats] = [
  instance.getEncryptionStats(),
  {} as root.DecryptionStats,
];
const results: [davey.ProposalsResult, davey.SigningKeyPair] = [
  {} as root.ProposalsResult,
  root.generateP256Keypair(),
];
// davey's const enum members and the facade's members are interchangeable.
const enums: [davey.Codec, root.Codec, davey.MediaType, root.SessionStatus, davey.ProposalsOperationType] = [
  root.Codec.AV1,
  davey.Codec.AV1,
  root.MediaType.VIDEO,
  davey.SessionStatus.AWAITING_RESPONSE,
  root.ProposalsOperationType.REVOKE,
];
// @ts-expect-error the check is not vacuous: a class without davey's members does not fit.
const impostor: typeof davey.DAVESession = class {};

test("the root and the ./davey subpath export every davey name, with davey's enum values", async () => {
  assert.ok(
    [constructors, functions, constants, stats, results, enums, impostor].every((x) => x !== undefined),
  );
  const subpath = "@parley/dave/davey";
  const byName: Record<string, Record<string, unknown>> = {
    root,
    "@parley/dave": await import("@parley/dave"),
    [subpath]: await import(subpath),
  };
  const native = davey as unknown as Record<string, unknown>;
  // DaveSession is a type alias: napi exports it as undefined.
  const names = Object.keys(native).filter((name) => native[name] !== undefined);
  assert.ok(names.length >= 12);
  for (const [where, module] of Object.entries(byName)) {
    for (const name of names) {
      assert.equal(typeof module[name], typeof native[name], `${where} exports ${name}`);
      if (name === "default") {
        // Node's default import of davey's CommonJS module: the same names again.
        const defaults = module.default as Record<string, unknown>;
        assert.deepEqual(Object.keys(defaults).sort(), names.filter((n) => n !== "default").sort());
        for (const key of Object.keys(defaults))
          assert.equal(defaults[key], module[key], `${where}.default.${key}`);
      } else if (typeof native[name] === "object") {
        const values = (o: unknown) => Object.getOwnPropertyNames(o).map((k) => [k, (o as never)[k]]);
        assert.deepEqual(values(module[name]), values(native[name]), `${where}.${name}`);
      } else if (typeof native[name] !== "function" && name !== "VERSION") {
        assert.equal(module[name], native[name], `${where}.${name}`);
      }
    }
  }
  assert.equal(root.VERSION, davey.VERSION, "the davey API version mirrored");
});
