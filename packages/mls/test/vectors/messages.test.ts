import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeMlsMessage, encodeMlsMessage } from "ts-mls";
import { decodeCommit, encodeCommit } from "ts-mls/commit.js";
import { decodeGroupSecrets, encodeGroupSecrets } from "ts-mls/groupSecrets.js";
import {
  decodeAdd,
  decodeExternalInit,
  decodeGroupContextExtensions,
  decodePSK,
  decodeReinit,
  decodeRemove,
  decodeUpdate,
  encodeAdd,
  encodeExternalInit,
  encodeGroupContextExtensions,
  encodePSK,
  encodeReinit,
  encodeRemove,
  encodeUpdate,
} from "ts-mls/proposal.js";
import { decodeRatchetTree, encodeRatchetTree } from "ts-mls/ratchetTree.js";
import { family, hex, toHex } from "./files.js";

type Codec = [
  decode: (b: Uint8Array, offset: number) => [unknown, number] | undefined,
  encode: (v: never) => Uint8Array,
];

// Each field of the vector, with the structure it holds (RFC 9420 and the mls-implementations test-vectors doc).
const FIELDS: Record<string, Codec> = {
  mls_welcome: [decodeMlsMessage, encodeMlsMessage],
  mls_group_info: [decodeMlsMessage, encodeMlsMessage],
  mls_key_package: [decodeMlsMessage, encodeMlsMessage],
  ratchet_tree: [decodeRatchetTree, encodeRatchetTree],
  group_secrets: [decodeGroupSecrets, encodeGroupSecrets],
  add_proposal: [decodeAdd, encodeAdd],
  update_proposal: [decodeUpdate, encodeUpdate],
  remove_proposal: [decodeRemove, encodeRemove],
  pre_shared_key_proposal: [decodePSK, encodePSK],
  re_init_proposal: [decodeReinit, encodeReinit],
  external_init_proposal: [decodeExternalInit, encodeExternalInit],
  group_context_extensions_proposal: [decodeGroupContextExtensions, encodeGroupContextExtensions],
  commit: [decodeCommit, encodeCommit],
  public_message_application: [decodeMlsMessage, encodeMlsMessage],
  public_message_proposal: [decodeMlsMessage, encodeMlsMessage],
  public_message_commit: [decodeMlsMessage, encodeMlsMessage],
  private_message: [decodeMlsMessage, encodeMlsMessage],
};

const messages = family<Record<string, string>>("messages", "messages.json", (v) => {
  for (const [field, [decode, encode]] of Object.entries(FIELDS)) {
    const bytes = hex(v[field] as string);
    const decoded = decode(bytes, 0);
    assert.ok(decoded, `${field} decodes`);
    assert.equal(decoded[1], bytes.length, `${field} is read whole`);
    assert.equal(toHex(encode(decoded[0] as never)), v[field], `${field} re-encodes byte for byte`);
  }
});

test(messages.title, messages.run);
