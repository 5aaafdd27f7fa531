import { VoiceGatewayError } from "./errors.js";
import { TlsReader } from "./tlsReader.js";

/*
 * What the gateway needs from op 28 that the MLS inspector does not give: where the commit's MLSMessage ends
 * (a bare Welcome may follow it), and the committer's new leaf if the commit carries an UpdatePath, so that the
 * gateway can check the committer kept its credential and signature key. RFC 9420 §6.2, §12.4, §7.2.
 */

const WIRE_PUBLIC_MESSAGE = 1;
const SENDER_MEMBER = 1;
const SENDER_EXTERNAL = 2;
const CONTENT_COMMIT = 3;
const CREDENTIAL_BASIC = 1;
const CREDENTIAL_X509 = 2;
const SOURCE_KEY_PACKAGE = 1;
const SOURCE_COMMIT = 3;

export interface PathLeaf {
  readonly signatureKey: Uint8Array;
  /** The basic credential's identity, or undefined for another credential type. */
  readonly identity: Uint8Array | undefined;
}

export interface CommitFrame {
  /** The MLSMessage carrying the commit. */
  readonly commit: Uint8Array;
  /** The bare Welcome after it, if any. */
  readonly welcome: Uint8Array | undefined;
  /** The UpdatePath's leaf node, when the commit has a path. */
  readonly pathLeaf: PathLeaf | undefined;
}

/** Split op 28's payload into the commit MLSMessage and an optional bare Welcome. */
export function splitCommitWelcome(payload: Uint8Array): CommitFrame {
  const r = new TlsReader(payload, "commit message");
  if (r.u16() !== 1) throw new VoiceGatewayError("invalid-commit", "commit is not an MLS 1.0 message");
  if (r.u16() !== WIRE_PUBLIC_MESSAGE)
    throw new VoiceGatewayError("invalid-commit", "DAVE commits must be PublicMessages");
  r.vector(); // group_id
  r.skip(8); // epoch
  const senderType = r.u8();
  if (senderType === SENDER_MEMBER || senderType === SENDER_EXTERNAL) r.skip(4);
  r.vector(); // authenticated_data
  if (r.u8() !== CONTENT_COMMIT)
    throw new VoiceGatewayError("invalid-commit", "op 28 does not carry a commit");
  r.vector(); // proposals (the inspector reads them)
  let pathLeaf: PathLeaf | undefined;
  const hasPath = r.u8();
  if (hasPath > 1) throw new VoiceGatewayError("malformed", "commit path presence byte is not 0 or 1");
  if (hasPath === 1) {
    pathLeaf = readLeafNode(r);
    r.vector(); // UpdatePathNode nodes<V>
  }
  r.vector(); // signature
  r.vector(); // confirmation_tag
  if (senderType === SENDER_MEMBER) r.vector(); // membership_tag
  const end = r.offset;
  return {
    commit: payload.slice(0, end),
    welcome: end < payload.length ? payload.slice(end) : undefined,
    pathLeaf,
  };
}

function readLeafNode(r: TlsReader): PathLeaf {
  r.vector(); // encryption_key
  const signatureKey = r.vector().slice();
  const credentialType = r.u16();
  let identity: Uint8Array | undefined;
  if (credentialType === CREDENTIAL_BASIC) identity = r.vector().slice();
  else if (credentialType === CREDENTIAL_X509) r.vector();
  else throw new VoiceGatewayError("invalid-commit", `leaf credential type ${credentialType}`);
  for (let i = 0; i < 5; i++) r.vector(); // capabilities: versions, suites, extensions, proposals, credentials
  const source = r.u8();
  if (source === SOURCE_KEY_PACKAGE) r.skip(16);
  else if (source === SOURCE_COMMIT) r.vector();
  r.vector(); // extensions
  r.vector(); // signature
  return { signatureKey, identity };
}
