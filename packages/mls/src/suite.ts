import { nodeCryptoProvider } from "./crypto/nodeCryptoProvider.js";
import {
  type CiphersuiteImpl,
  type CiphersuiteName,
  type CryptoProvider,
  ciphersuites,
  getCiphersuiteFromName,
  getCiphersuiteImpl,
  getCiphersuiteNameFromId,
} from "./engine.js";
import { ParleyMlsError } from "./errors.js";

export type { CiphersuiteName, CryptoProvider };

/** An MLS ciphersuite bound to a crypto provider: what every group and key package operation runs on. */
export interface MlsSuite {
  readonly name: CiphersuiteName;
  readonly id: number;
  /** The engine's implementation object; internal to @parley/mls. */
  readonly impl: CiphersuiteImpl;
}

const loaded = new WeakMap<CryptoProvider, Map<number, Promise<MlsSuite>>>();

/** The ciphersuite names this build knows, with their RFC 9420 (or private-range) ids. */
export const CIPHERSUITES: Readonly<Record<CiphersuiteName, number>> = ciphersuites;

export function ciphersuiteId(suite: CiphersuiteName | number): number {
  if (typeof suite === "number") {
    if (!Object.values(ciphersuites).includes(suite as never)) {
      throw new ParleyMlsError("unsupported", `unknown ciphersuite id ${suite}`);
    }
    return suite;
  }
  const id = ciphersuites[suite];
  if (id === undefined) throw new ParleyMlsError("unsupported", `unknown ciphersuite name ${String(suite)}`);
  return id;
}

/**
 * Load a ciphersuite with a provider (Parley's node:crypto provider unless told otherwise). Loaded suites
 * are cached per provider, so calling this on every operation is cheap.
 */
export function loadSuite(
  suite: CiphersuiteName | number,
  provider: CryptoProvider = nodeCryptoProvider,
): Promise<MlsSuite> {
  const id = ciphersuiteId(suite);
  let byId = loaded.get(provider);
  if (byId === undefined) {
    byId = new Map();
    loaded.set(provider, byId);
  }
  let pending = byId.get(id);
  if (pending === undefined) {
    const name = getCiphersuiteNameFromId(id as never);
    pending = getCiphersuiteImpl(getCiphersuiteFromName(name), provider).then((impl) => ({ name, id, impl }));
    // A failed load (say, a missing optional dependency) must not stay cached.
    pending.catch(() => byId.delete(id));
    byId.set(id, pending);
  }
  return pending;
}
