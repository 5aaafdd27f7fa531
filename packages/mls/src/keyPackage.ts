import { basicCredential, type SignatureKeyPair } from "./credential.js";
import {
  decodeKeyPackage,
  defaultCapabilities,
  type Extension,
  encodeKeyPackage,
  encodeMlsMessage,
  generateKeyPackageWithKey,
  getCiphersuiteNameFromId,
  type KeyPackage,
  makeKeyPackageRef,
  type PrivateKeyPackage,
} from "./engine.js";
import { asMlsError, ParleyMlsError } from "./errors.js";
import { type LeafExtension, toEngineExtensions } from "./identity/leafExtensions.js";
import { decodeExact } from "./message.js";
import type { MlsSuite } from "./suite.js";
import { ByteReader, ByteWriter } from "./util/bytes.js";

/** RFC 9420 §12.1 / draft-ietf-mls-extensions: a KeyPackage a delivery service never consumes. */
export const LAST_RESORT_EXTENSION_TYPE = 0x000a;

export interface KeyPackageOptions {
  /** The basic credential's identity (DAVE: the user id as 8 bytes big-endian). */
  identity: Uint8Array;
  signatureKeyPair: SignatureKeyPair;
  /** Validity in seconds since the epoch; default: from an hour ago to 90 days ahead. */
  lifetime?: { notBefore: bigint; notAfter: bigint };
  /**
   * Leaf capabilities. Default: every ciphersuite of this build, basic and x509 credentials, no extra
   * extensions or proposals (GREASE values are added unless `capabilities` is given).
   */
  capabilities?: {
    ciphersuites: number[];
    credentials: ("basic" | "x509")[];
    extensions?: number[];
    proposals?: number[];
  };
  /** Mark it last-resort (extension 0x000a), so a server hands it out without consuming it. */
  lastResort?: boolean;
  /** Leaf-node extensions (e.g. a device binding); their types are added to the leaf's capabilities. */
  leafExtensions?: readonly LeafExtension[];
}

/** A key package with the private keys needed to join through it. Keep `privateKeys` secret. */
export interface KeyPackageBundle {
  /** The KeyPackage wrapped in an MLSMessage, as RFC 9420 distributes it. */
  readonly message: Uint8Array;
  /** The bare TLS-encoded KeyPackage (DAVE's op 26 carries this). */
  readonly keyPackage: Uint8Array;
  /** RFC 9420 §5.2 KeyPackageRef. */
  readonly ref: Uint8Array;
  readonly suiteId: number;
  /** @internal engine objects */
  readonly engine: { publicPackage: KeyPackage; privatePackage: PrivateKeyPackage };
}

const DAY = 86_400n;

export async function createKeyPackage(
  suite: MlsSuite,
  options: KeyPackageOptions,
): Promise<KeyPackageBundle> {
  const now = BigInt(Math.floor(Date.now() / 1000));
  const lifetime = options.lifetime ?? { notBefore: now - 3600n, notAfter: now + 90n * DAY };
  const extensions: Extension[] = options.lastResort
    ? [{ extensionType: LAST_RESORT_EXTENSION_TYPE, extensionData: new Uint8Array() }]
    : [];
  const caps = options.capabilities;
  const capabilities = caps
    ? {
        versions: ["mls10" as const],
        ciphersuites: caps.ciphersuites.map((id) => getCiphersuiteNameFromId(id as never)),
        credentials: caps.credentials,
        extensions: [...(caps.extensions ?? []), ...(options.lastResort ? [LAST_RESORT_EXTENSION_TYPE] : [])],
        proposals: caps.proposals ?? [],
      }
    : defaultCapabilities();
  if (!caps && options.lastResort)
    capabilities.extensions = [...capabilities.extensions, LAST_RESORT_EXTENSION_TYPE];
  const leafExtensions = options.leafExtensions ?? [];
  const missing = leafExtensions.map((e) => e.type).filter((t) => !capabilities.extensions.includes(t));
  capabilities.extensions = [...capabilities.extensions, ...new Set(missing)];
  try {
    const { publicPackage, privatePackage } = await generateKeyPackageWithKey(
      basicCredential(options.identity),
      capabilities,
      lifetime,
      extensions,
      { signKey: options.signatureKeyPair.privateKey, publicKey: options.signatureKeyPair.publicKey },
      suite.impl,
      toEngineExtensions(leafExtensions),
    );
    return bundleOf(suite, publicPackage, privatePackage);
  } catch (err) {
    throw asMlsError(err, "usage", "could not create key package");
  }
}

async function bundleOf(
  suite: MlsSuite,
  publicPackage: KeyPackage,
  privatePackage: PrivateKeyPackage,
): Promise<KeyPackageBundle> {
  return {
    message: encodeMlsMessage({ version: "mls10", wireformat: "mls_key_package", keyPackage: publicPackage }),
    keyPackage: encodeKeyPackage(publicPackage),
    ref: await makeKeyPackageRef(publicPackage, suite.impl.hash),
    suiteId: suite.id,
    engine: { publicPackage, privatePackage },
  };
}

const BUNDLE_MAGIC = 0x504b5042; // "PKPB"
const BUNDLE_FORMAT = 1;

/** Serialize a bundle, private keys included, for the owner's own storage. */
export function encodeKeyPackageBundle(bundle: KeyPackageBundle): Uint8Array {
  const p = bundle.engine.privatePackage;
  return new ByteWriter()
    .u32(BUNDLE_MAGIC)
    .u16(BUNDLE_FORMAT)
    .u16(bundle.suiteId)
    .vector(bundle.keyPackage)
    .vector(p.initPrivateKey)
    .vector(p.hpkePrivateKey)
    .vector(p.signaturePrivateKey)
    .finish();
}

export async function decodeKeyPackageBundle(suite: MlsSuite, bytes: Uint8Array): Promise<KeyPackageBundle> {
  const r = new ByteReader(bytes, "key package bundle");
  if (r.u32() !== BUNDLE_MAGIC) throw new ParleyMlsError("state-format", "not a Parley key package bundle");
  const format = r.u16();
  if (format !== BUNDLE_FORMAT) {
    throw new ParleyMlsError(
      "state-format",
      `key package bundle format ${format}, this build reads ${BUNDLE_FORMAT}`,
    );
  }
  const suiteId = r.u16();
  if (suiteId !== suite.id) {
    throw new ParleyMlsError(
      "wrong-group",
      `key package bundle is for ciphersuite ${suiteId}, not ${suite.id}`,
    );
  }
  const kpBytes = r.vector();
  const privatePackage: PrivateKeyPackage = {
    initPrivateKey: r.vector(),
    hpkePrivateKey: r.vector(),
    signaturePrivateKey: r.vector(),
  };
  r.end();
  return bundleOf(suite, decodeExact(decodeKeyPackage, kpBytes, "key package in bundle"), privatePackage);
}
