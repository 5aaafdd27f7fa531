import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeAll, encodeWith } from "../../src/rfc9420/codec/index.js";
import { family, hex, toHex } from "../vectors/files.js";
import { MESSAGE_FIELDS } from "./wireVectors.js";

const messages = family<Record<string, string>>("messages (own codec)", "messages.json", (v) => {
  for (const [field, [decode, encode]] of Object.entries(MESSAGE_FIELDS)) {
    const value = decodeAll(hex(v[field] as string), decode, field);
    assert.equal(toHex(encodeWith(value as never, encode)), v[field], `${field} re-encodes byte for byte`);
  }
});

test(messages.title, messages.run);
