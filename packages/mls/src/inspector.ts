import {
  type Credential,
  ciphersuites,
  decodeMlsMessage,
  type KeyPackage,
  type MLSMessage,
  makeKeyPackageRef,
  type Proposal,
  type ProposalOrRef,
  verifyKeyPackage,
} from "./engine.js";
import { ParleyMlsError } from "./errors.js";
import { decodeAnyKeyPackage } from "./group/decode.js";
import { fromEngineExtensions, type LeafExtension } from "./identity/leafExtensions.js";
import { LAST_RESORT_EXTENSION_TYPE } from "./keyPackage.js";
import { decodeExact, MAX_MESSAGE_BYTES } from "./message.js";
import { loadSuite } from "./suite.js";
import { readVarint } from "./util/varint.js";

/*
 * What a delivery service can read from an MLS message without any group state (RFC 9420 §6): the clear
 * header of a PrivateMessage, everything in a PublicMessage, who a Welcome is for, and a KeyPackage's
 * public fields. Nothing here verifies a signature or decrypts anything, except `verifyKeyPackageSignature`.
 */

export type WireFormat = MLSMessage["wireformat"];
export type ContentType = "application" | "proposal" | "commit";

export type MessageSender =
  | { readonly type: "member"; readonly leafIndex: number }
  | { readonly type: "external"; readonly senderIndex: number }
  | { readonly type: "new_member_proposal" }
  | { readonly type: "new_member_commit" };

/** A proposal as seen in a PublicMessage; a commit may also carry references to earlier proposals. */
export type ProposalInfo =
  | { readonly type: "add"; readonly keyPackage: KeyPackageInfo }
  | { readonly type: "remove"; readonly removed: number }
  | {
      readonly type: "update" | "psk" | "reinit" | "external_init" | "group_context_extensions";
    }
  | { readonly type: "custom"; readonly proposalType: number }
  | { readonly type: "reference"; readonly ref: Uint8Array };

export interface KeyPackageInfo {
  readonly version: string;
  readonly cipherSuite: number;
  readonly credential:
    | { readonly type: "basic"; readonly identity: Uint8Array }
    | { readonly type: "x509"; readonly certificates: readonly Uint8Array[] };
  readonly signatureKey: Uint8Array;
  readonly lifetime: { readonly notBefore: bigint; readonly notAfter: bigint };
  /** Carries the last_resort extension: a server hands it out without consuming it. */
  readonly lastResort: boolean;
  /** The leaf node's extensions (a Parley device binding among them). */
  readonly leafExtensions: readonly LeafExtension[];
}

export type MessageInfo =
  | {
      readonly wireFormat: "mls_public_message";
      readonly groupId: Uint8Array;
      readonly epoch: bigint;
      readonly contentType: ContentType;
      readonly sender: MessageSender;
      readonly authenticatedDataLength: number;
      /** A commit's proposals (by value or reference), or a proposal message's one proposal. */
      readonly proposals: readonly ProposalInfo[];
      /** For a commit: whether it carries an UpdatePath. */
      readonly hasPath: boolean;
    }
  | {
      readonly wireFormat: "mls_private_message";
      readonly groupId: Uint8Array;
      readonly epoch: bigint;
      readonly contentType: ContentType;
      readonly authenticatedDataLength: number;
    }
  | {
      readonly wireFormat: "mls_welcome";
      readonly cipherSuite: number;
      /** The KeyPackageRef of each new member the Welcome is encrypted to. */
      readonly newMembers: readonly Uint8Array[];
    }
  | {
      readonly wireFormat: "mls_group_info";
      readonly groupId: Uint8Array;
      readonly epoch: bigint;
      readonly cipherSuite: number;
      readonly signer: number;
    }
  | { readonly wireFormat: "mls_key_package"; readonly keyPackage: KeyPackageInfo };

/** Read an MLSMessage's routing facts. Throws ParleyMlsError (malformed, truncated, oversized, unsupported). */
export function inspectMessage(bytes: Uint8Array): MessageInfo {
  if (checkEnvelope(bytes) === PRIVATE_MESSAGE) return inspectPrivateMessage(bytes);
  const message = decodeForInspection(bytes);
  switch (message.wireformat) {
    case "mls_public_message": {
      const { content } = message.publicMessage;
      const proposals =
        content.contentType === "commit"
          ? content.commit.proposals.map(proposalOrRefInfo)
          : content.contentType === "proposal"
            ? [proposalInfo(content.proposal)]
            : [];
      return {
        wireFormat: message.wireformat,
        groupId: content.groupId,
        epoch: content.epoch,
        contentType: content.contentType as ContentType,
        sender: senderInfo(content.sender),
        authenticatedDataLength: content.authenticatedData.length,
        proposals,
        hasPath: content.contentType === "commit" && content.commit.path !== undefined,
      };
    }
    case "mls_private_message": {
      const pm = message.privateMessage;
      return {
        wireFormat: message.wireformat,
        groupId: pm.groupId,
        epoch: pm.epoch,
        contentType: pm.contentType as ContentType,
        authenticatedDataLength: pm.authenticatedData.length,
      };
    }
    case "mls_welcome":
      return {
        wireFormat: message.wireformat,
        cipherSuite: ciphersuites[message.welcome.cipherSuite],
        newMembers: message.welcome.secrets.map((s) => s.newMember),
      };
    case "mls_group_info": {
      const { groupContext, signer } = message.groupInfo;
      return {
        wireFormat: message.wireformat,
        groupId: groupContext.groupId,
        epoch: groupContext.epoch,
        cipherSuite: ciphersuites[groupContext.cipherSuite],
        signer,
      };
    }
    case "mls_key_package":
      return { wireFormat: message.wireformat, keyPackage: keyPackageInfo(message.keyPackage) };
  }
}

/** A KeyPackage's public fields, from an MLSMessage or a bare KeyPackage. */
export function inspectKeyPackage(bytes: Uint8Array): KeyPackageInfo {
  return keyPackageInfo(decodeAnyKeyPackage(bytes));
}

/** RFC 9420 §5.2 KeyPackageRef, with the hash of the key package's own ciphersuite. */
export async function keyPackageRef(bytes: Uint8Array): Promise<Uint8Array> {
  const keyPackage = decodeAnyKeyPackage(bytes);
  const suite = await loadSuite(ciphersuites[keyPackage.cipherSuite]);
  return makeKeyPackageRef(keyPackage, suite.impl.hash);
}

/** Whether the KeyPackage is signed by the key in its own leaf (RFC 9420 §10.1). */
export async function verifyKeyPackageSignature(bytes: Uint8Array): Promise<boolean> {
  const keyPackage = decodeAnyKeyPackage(bytes);
  const suite = await loadSuite(ciphersuites[keyPackage.cipherSuite]);
  return verifyKeyPackage(keyPackage, suite.impl.signature);
}

const CONTENT_TYPES: readonly (ContentType | undefined)[] = [undefined, "application", "proposal", "commit"];

/**
 * A PrivateMessage's clear header (RFC 9420 §6.3.1), read directly: it is the delivery service's hot path, and
 * nothing past the header is structured before decryption.
 */
function inspectPrivateMessage(bytes: Uint8Array): MessageInfo {
  let at = 4;
  const opaque = (what: string) => {
    const { value, next } = readVarint(bytes, at, `PrivateMessage ${what}`);
    if (next + value > bytes.length) {
      throw new ParleyMlsError("truncated", "MLS message ends before its last field does");
    }
    at = next + value;
    return bytes.subarray(next, at);
  };
  const groupId = opaque("group_id");
  if (at + 9 > bytes.length)
    throw new ParleyMlsError("truncated", "MLS message ends before its last field does");
  const epoch = new DataView(bytes.buffer, bytes.byteOffset + at, 8).getBigUint64(0);
  const contentType = CONTENT_TYPES[bytes[at + 8] as number];
  if (contentType === undefined)
    throw new ParleyMlsError("malformed", `content type ${bytes[at + 8]} is unknown`);
  at += 9;
  const authenticatedData = opaque("authenticated_data");
  opaque("encrypted_sender_data");
  opaque("ciphertext");
  if (at !== bytes.length) {
    throw new ParleyMlsError("malformed", `MLS message has ${bytes.length - at} trailing bytes`);
  }
  return {
    wireFormat: "mls_private_message",
    groupId,
    epoch,
    contentType,
    authenticatedDataLength: authenticatedData.length,
  };
}

/** RFC 9420 §6 WireFormat mls_private_message. */
const PRIVATE_MESSAGE = 2;

/** Size, protocol version and wire format; returns the wire format. */
function checkEnvelope(bytes: Uint8Array): number {
  if (bytes.length > MAX_MESSAGE_BYTES) {
    throw new ParleyMlsError(
      "oversized",
      `MLS message of ${bytes.length} bytes exceeds ${MAX_MESSAGE_BYTES}`,
    );
  }
  if (bytes.length < 4)
    throw new ParleyMlsError("truncated", `MLS message of ${bytes.length} bytes is too short`);
  const version = ((bytes[0] as number) << 8) | (bytes[1] as number);
  if (version !== 1)
    throw new ParleyMlsError("unsupported", `MLS protocol version ${version}; this build reads 1`);
  const wireFormat = ((bytes[2] as number) << 8) | (bytes[3] as number);
  if (wireFormat < 1 || wireFormat > 5) {
    throw new ParleyMlsError("unsupported", `MLS wire format ${wireFormat} is not one this build reads`);
  }
  return wireFormat;
}

function decodeForInspection(bytes: Uint8Array): MLSMessage {
  try {
    return decodeExact(decodeMlsMessage, bytes, "MLS message");
  } catch (err) {
    // The engine reports running off the end as undefined or a CodecError about the buffer; say so plainly.
    if (err instanceof ParleyMlsError && err.code === "malformed" && endedEarly(err)) {
      throw new ParleyMlsError("truncated", "MLS message ends before its last field does", { cause: err });
    }
    throw err;
  }
}

function endedEarly(err: ParleyMlsError): boolean {
  return /does not decode$|beyond buffer|exceeds buffer|Incomplete/.test(err.message);
}

function senderInfo(sender: { senderType: string; leafIndex?: number; senderIndex?: number }): MessageSender {
  switch (sender.senderType) {
    case "member":
      return { type: "member", leafIndex: sender.leafIndex as number };
    case "external":
      return { type: "external", senderIndex: sender.senderIndex as number };
    case "new_member_proposal":
      return { type: "new_member_proposal" };
    default:
      return { type: "new_member_commit" };
  }
}

function proposalOrRefInfo(p: ProposalOrRef): ProposalInfo {
  return p.proposalOrRefType === "reference"
    ? { type: "reference", ref: p.reference }
    : proposalInfo(p.proposal);
}

function proposalInfo(p: Proposal): ProposalInfo {
  if (typeof p.proposalType === "number") return { type: "custom", proposalType: p.proposalType };
  switch (p.proposalType) {
    case "add":
      return { type: "add", keyPackage: keyPackageInfo(p.add.keyPackage) };
    case "remove":
      return { type: "remove", removed: p.remove.removed };
    default:
      return { type: p.proposalType };
  }
}

function credentialInfo(c: Credential): KeyPackageInfo["credential"] {
  if (c.credentialType === "basic") return { type: "basic", identity: c.identity };
  if (c.credentialType === "x509") return { type: "x509", certificates: c.certificates };
  throw new ParleyMlsError(
    "unsupported",
    `credential type ${String((c as { credentialType: unknown }).credentialType)}`,
  );
}

function keyPackageInfo(kp: KeyPackage): KeyPackageInfo {
  return {
    version: kp.version,
    cipherSuite: ciphersuites[kp.cipherSuite],
    credential: credentialInfo(kp.leafNode.credential),
    signatureKey: kp.leafNode.signaturePublicKey,
    lifetime: kp.leafNode.lifetime,
    lastResort: kp.extensions.some((e) => e.extensionType === LAST_RESORT_EXTENSION_TYPE),
    leafExtensions: fromEngineExtensions(kp.leafNode.extensions),
  };
}
