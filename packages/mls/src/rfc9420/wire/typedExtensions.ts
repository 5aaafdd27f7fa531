import { decodeAll, encodeWith, type Reader, type Writer } from "../codec/index.js";
import { readUint16List, writeUint16List } from "./capabilities.js";
import { type Credential, decodeCredential, encodeCredential } from "./credential.js";
import type { Extension } from "./extension.js";
import { decodeRatchetTree, encodeRatchetTree, type RatchetTree } from "./ratchetTree.js";
import { ExtensionType } from "./registry.js";

/** §11.1 RequiredCapabilities: what every member must support. */
export interface RequiredCapabilities {
  readonly extensionTypes: readonly number[];
  readonly proposalTypes: readonly number[];
  readonly credentialTypes: readonly number[];
}

/** §12.1.8.1 ExternalSender: a signer outside the group allowed to send proposals. */
export interface ExternalSender {
  readonly signatureKey: Uint8Array;
  readonly credential: Credential;
}

/** How one known extension's extension_data reads and writes. */
export interface ExtensionCodec<T> {
  readonly extensionType: number;
  readonly decode: (r: Reader) => T;
  readonly encode: (w: Writer, value: T) => void;
}

function decodeRequiredCapabilities(r: Reader): RequiredCapabilities {
  return {
    extensionTypes: readUint16List(r, "RequiredCapabilities.extension_types"),
    proposalTypes: readUint16List(r, "RequiredCapabilities.proposal_types"),
    credentialTypes: readUint16List(r, "RequiredCapabilities.credential_types"),
  };
}

function encodeRequiredCapabilities(w: Writer, c: RequiredCapabilities): void {
  writeUint16List(w, c.extensionTypes);
  writeUint16List(w, c.proposalTypes);
  writeUint16List(w, c.credentialTypes);
}

function decodeExternalSender(r: Reader): ExternalSender {
  return { signatureKey: r.opaque("ExternalSender.signature_key"), credential: decodeCredential(r) };
}

function encodeExternalSender(w: Writer, s: ExternalSender): void {
  w.opaque(s.signatureKey);
  encodeCredential(w, s.credential);
}

/** §12.1.8.1 application_id: opaque application_id<V>. */
export const applicationIdExtension: ExtensionCodec<Uint8Array> = {
  extensionType: ExtensionType.applicationId,
  decode: (r) => r.opaque("ApplicationIdExtension.application_id"),
  encode: (w, id) => w.opaque(id),
};

/** §12.4.3.3 ratchet_tree. */
export const ratchetTreeExtension: ExtensionCodec<RatchetTree> = {
  extensionType: ExtensionType.ratchetTree,
  decode: decodeRatchetTree,
  encode: encodeRatchetTree,
};

/** §11.1 required_capabilities. */
export const requiredCapabilitiesExtension: ExtensionCodec<RequiredCapabilities> = {
  extensionType: ExtensionType.requiredCapabilities,
  decode: decodeRequiredCapabilities,
  encode: encodeRequiredCapabilities,
};

/** §12.4.3.2 external_pub: the HPKE key external joiners encrypt to. */
export const externalPubExtension: ExtensionCodec<Uint8Array> = {
  extensionType: ExtensionType.externalPub,
  decode: (r) => r.opaque("ExternalPub.external_pub"),
  encode: (w, key) => w.opaque(key),
};

/** §12.1.8.1 external_senders: a VECTOR of ExternalSender (ts-mls 1.6.4 reads one bare ExternalSender). */
export const externalSendersExtension: ExtensionCodec<readonly ExternalSender[]> = {
  extensionType: ExtensionType.externalSenders,
  decode: (r) => r.vector("external_senders", decodeExternalSender),
  encode: (w, senders) => w.vector(senders, encodeExternalSender),
};

/** The value of `codec`'s extension in `extensions`, or undefined when absent; its data must decode whole. */
export function findExtension<T>(extensions: readonly Extension[], codec: ExtensionCodec<T>): T | undefined {
  const found = extensions.find((e) => e.extensionType === codec.extensionType);
  return found && decodeAll(found.extensionData, codec.decode, `extension ${codec.extensionType}`);
}

/** An Extension carrying `value` under `codec`'s type. */
export function makeExtension<T>(codec: ExtensionCodec<T>, value: T): Extension {
  return { extensionType: codec.extensionType, extensionData: encodeWith(value, codec.encode) };
}
