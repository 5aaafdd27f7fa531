import assert from "node:assert/strict";
import { test } from "node:test";
import { type Random, testRandom } from "@parley/testkit";
import {
  CodecError,
  decodeAll,
  encodeWith,
  type Reader,
  type Writer,
} from "../../src/rfc9420/codec/index.js";
import * as wire from "../../src/rfc9420/wire/index.js";
import { hex, mlsVectors, toHex } from "../vectors/files.js";
import { MESSAGE_FIELDS } from "./wireVectors.js";

const cases = mlsVectors<Record<string, string>[]>("messages.json");

/**
 * Decode `bytes` as `field`'s structure: a CodecError or a value, never another exception. A value must
 * re-encode to exactly the input, since every accepted encoding is the canonical one.
 */
function decodesOrRefuses(
  field: string,
  bytes: Uint8Array,
  [decode, encode] = MESSAGE_FIELDS[field]!,
): "decoded" | "refused" {
  let value: unknown;
  try {
    value = decodeAll(bytes, decode, field);
  } catch (err) {
    if (err instanceof CodecError) return "refused";
    throw new Error(`${field}: ${(err as Error).name} instead of a CodecError`, { cause: err });
  }
  assert.equal(
    toHex(encodeWith(value as never, encode)),
    toHex(bytes),
    `${field} accepted non-canonical bytes`,
  );
  return "decoded";
}

test("every proper prefix of real messages is refused as truncated", () => {
  let prefixes = 0;
  for (const i of [0, 1, 100, 150, 200, 299]) {
    for (const field of Object.keys(MESSAGE_FIELDS)) {
      const bytes = hex(cases[i]![field]!);
      for (let n = 0; n < bytes.length; n++) {
        assert.throws(
          () => decodeAll(bytes.subarray(0, n), MESSAGE_FIELDS[field]![0], field),
          (err) => err instanceof CodecError && err.code === "truncated",
          `${field} of case ${i} cut to ${n} bytes`,
        );
        prefixes++;
      }
    }
  }
  assert.ok(prefixes > 20000, `${prefixes} prefixes`);
});

/** A mutated copy: flipped bit, overwritten byte, a byte that opens a long length, cut, grown or spliced. */
function mutate(random: Random, input: Uint8Array): Uint8Array {
  const at = random.int(input.length);
  const out = input.slice();
  switch (random.int(6)) {
    case 0:
      out[at]! ^= 1 << random.int(8);
      return out;
    case 1:
      out[at] = random.int(256);
      return out;
    case 2:
      out[at] = 0x40 | random.int(0xc0);
      return out;
    case 3:
      return input.slice(0, at);
    case 4:
      return Buffer.concat([input.subarray(0, at), random.bytes(1 + random.int(8)), input.subarray(at)]);
    default: {
      const from = random.int(input.length);
      return Buffer.concat([
        input.subarray(0, at),
        input.subarray(from, from + 1 + random.int(32)),
        input.subarray(at),
      ]);
    }
  }
}

test("seeded random mutations of every structure give a CodecError or a canonical decode", (t) => {
  const random = testRandom(t);
  const fields = Object.keys(MESSAGE_FIELDS);
  const outcomes = { decoded: 0, refused: 0 };
  for (let k = 0; k < 6000; k++) {
    const field = random.pick(fields);
    let bytes = hex(random.pick(cases)[field]!);
    // Some inputs take several mutations, to reach past the first refusal.
    for (let m = 1 + random.int(3); m > 0 && bytes.length > 0; m--) bytes = mutate(random, bytes);
    outcomes[decodesOrRefuses(field, bytes)]++;
  }
  t.diagnostic(`decoded ${outcomes.decoded}, refused ${outcomes.refused}`);
  assert.ok(outcomes.refused > 1000, "most mutations are refused");
  assert.ok(outcomes.decoded > 100, "some mutations stay well-formed (e.g. a flipped key byte)");
});

type Codec = readonly [(r: Reader) => unknown, (w: Writer, v: never) => void];

/** Structures the messages vectors do not hold whole, from the other vector files. */
function otherStructures(): [string, Codec, string[]][] {
  const treekem = mlsVectors<{ update_paths: { update_path: string }[] }[]>("treekem.json");
  const transcripts = mlsVectors<{ authenticated_content: string }[]>("transcript-hashes.json");
  const trees = mlsVectors<{ tree: string }[]>("tree-validation.json");
  return [
    [
      "UpdatePath",
      [wire.decodeUpdatePath, wire.encodeUpdatePath],
      treekem.flatMap((v) => v.update_paths.map((p) => p.update_path)),
    ],
    [
      "AuthenticatedContent",
      [wire.decodeAuthenticatedContent, wire.encodeAuthenticatedContent],
      transcripts.map((v) => v.authenticated_content),
    ],
    ["ratchet_tree", [wire.decodeRatchetTree, wire.encodeRatchetTree], trees.map((v) => v.tree)],
  ];
}

test("seeded mutations of update paths, authenticated content and validation trees, and random bytes", (t) => {
  const random = testRandom(t);
  const outcomes = { decoded: 0, refused: 0 };
  for (const [field, codec, samples] of otherStructures()) {
    for (let k = 0; k < 1000; k++) {
      const bytes = mutate(random, hex(random.pick(samples)));
      outcomes[decodesOrRefuses(field, bytes, codec)]++;
    }
  }
  // Plain random bytes, for the structures decoded from decrypted plaintext too.
  const privateContent: Codec = [
    (r) => wire.decodePrivateMessageContent(r, wire.ContentType.commit),
    wire.encodePrivateMessageContent,
  ];
  const codecs: [string, Codec][] = [
    ["PrivateMessageContent", privateContent],
    ["SenderData", [wire.decodeSenderData, wire.encodeSenderData]],
    ["GroupSecrets", [wire.decodeGroupSecrets, wire.encodeGroupSecrets]],
    ["MLSMessage", [wire.decodeMlsMessage, wire.encodeMlsMessage]],
  ];
  for (const [field, codec] of codecs) {
    for (let k = 0; k < 500; k++) outcomes[decodesOrRefuses(field, random.bytes(random.int(64)), codec)]++;
  }
  t.diagnostic(`decoded ${outcomes.decoded}, refused ${outcomes.refused}`);
  assert.ok(outcomes.refused > 1000, "most mutations are refused");
});
