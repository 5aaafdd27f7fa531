import { basicCredential } from "../credential.js";
import {
  type ClientState,
  decodeExternalSender,
  type ExternalSender,
  encodeExternalSender,
} from "../engine.js";
import { ParleyMlsError } from "../errors.js";
import { readVarint, writeVarint } from "../util/varint.js";

/*
 * RFC 9420 §12.1.8.1 defines the external_senders extension as a vector: `ExternalSender
 * external_senders<V>`, which is what libdave (MLS++) and OpenMLS put in the group context. ts-mls 1.6.4
 * reads the extension as one bare ExternalSender instead, so Parley encodes and decodes this extension
 * itself, and verifies external-sender proposals with the key it decoded (see process.ts).
 */

export const EXTERNAL_SENDERS_EXTENSION_TYPE = 5;

export interface ExternalSenderInput {
  signatureKey: Uint8Array;
  identity: Uint8Array;
}

export function encodeExternalSenders(senders: ExternalSenderInput[]): Uint8Array {
  const body = Buffer.concat(
    senders.map((s) =>
      encodeExternalSender({ signaturePublicKey: s.signatureKey, credential: basicCredential(s.identity) }),
    ),
  );
  return new Uint8Array(Buffer.concat([writeVarint(body.length), body]));
}

export function decodeExternalSenders(data: Uint8Array): ExternalSender[] {
  const { value: length, next: start } = readVarint(data, 0, "external_senders extension");
  if (start + length !== data.length) {
    throw new ParleyMlsError("malformed", "external_senders extension length does not match its content");
  }
  const senders: ExternalSender[] = [];
  for (let offset = start; offset < data.length; ) {
    const decoded = decodeExternalSender(data, offset);
    // Engine decoders answer [value, bytes consumed].
    if (decoded === undefined || offset + decoded[1] > data.length) {
      throw new ParleyMlsError("malformed", `external sender ${senders.length} does not decode`);
    }
    senders.push(decoded[0]);
    offset += decoded[1];
  }
  return senders;
}

export function externalSendersOf(state: ClientState): ExternalSender[] {
  const ext = state.groupContext.extensions.find((e) => e.extensionType === "external_senders");
  return ext === undefined ? [] : decodeExternalSenders(ext.extensionData);
}
