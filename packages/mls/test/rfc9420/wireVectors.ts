import type { Reader, Writer } from "../../src/rfc9420/codec/index.js";
import * as wire from "../../src/rfc9420/wire/index.js";

type Codec = readonly [decode: (r: Reader) => unknown, encode: (w: Writer, value: never) => void];

/** Each field of messages.json with the RFC 9420 structure it holds (the mls-implementations test-vectors doc). */
export const MESSAGE_FIELDS: Record<string, Codec> = {
  mls_welcome: [wire.decodeMlsMessage, wire.encodeMlsMessage],
  mls_group_info: [wire.decodeMlsMessage, wire.encodeMlsMessage],
  mls_key_package: [wire.decodeMlsMessage, wire.encodeMlsMessage],
  ratchet_tree: [wire.decodeRatchetTree, wire.encodeRatchetTree],
  group_secrets: [wire.decodeGroupSecrets, wire.encodeGroupSecrets],
  add_proposal: [wire.decodeAdd, wire.encodeAdd],
  update_proposal: [wire.decodeUpdate, wire.encodeUpdate],
  remove_proposal: [wire.decodeRemove, wire.encodeRemove],
  pre_shared_key_proposal: [wire.decodePreSharedKey, wire.encodePreSharedKey],
  re_init_proposal: [wire.decodeReInit, wire.encodeReInit],
  external_init_proposal: [wire.decodeExternalInit, wire.encodeExternalInit],
  group_context_extensions_proposal: [wire.decodeGroupContextExtensions, wire.encodeGroupContextExtensions],
  commit: [wire.decodeCommit, wire.encodeCommit],
  public_message_application: [wire.decodeMlsMessage, wire.encodeMlsMessage],
  public_message_proposal: [wire.decodeMlsMessage, wire.encodeMlsMessage],
  public_message_commit: [wire.decodeMlsMessage, wire.encodeMlsMessage],
  private_message: [wire.decodeMlsMessage, wire.encodeMlsMessage],
};
