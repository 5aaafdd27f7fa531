import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeVarLenData } from "ts-mls/codec/variableLength.js";
import { family, hex } from "./files.js";

interface Deserialization {
  vlbytes_header: string;
  length: number;
}

// Each header is an RFC 9420 §2.1.2 variable-length integer; followed by that many bytes it must decode.
const deserialization = family<Deserialization>("deserialization", "deserialization.json", (v) => {
  const header = hex(v.vlbytes_header);
  const input = new Uint8Array(header.length + v.length);
  input.set(header);
  const decoded = decodeVarLenData(input, 0);
  assert.ok(decoded, "decodes");
  assert.equal(decoded[0].length, v.length);
  assert.equal(decoded[1], input.length);
});

test(deserialization.title, deserialization.run);
