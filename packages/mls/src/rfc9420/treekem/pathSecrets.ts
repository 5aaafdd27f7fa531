import { ParleyMlsError } from "../../errors.js";
import type { CipherSuite, HpkeKeyPair } from "../crypto/index.js";

/** §7.4: the next path secret up the path: DeriveSecret(path_secret[n], "path"). */
export const nextPathSecret = (suite: CipherSuite, pathSecret: Uint8Array): Uint8Array =>
  suite.deriveSecret(pathSecret, "path");

/** §7.4: a node's key pair from its path secret, via node_secret = DeriveSecret(path_secret, "node"). */
export const nodeKeyPair = (suite: CipherSuite, pathSecret: Uint8Array): HpkeKeyPair =>
  suite.deriveKeyPair(suite.deriveSecret(pathSecret, "node"));

/** §7.4: the path secrets from `first` upward, `count` in all. */
export function pathSecretsFrom(suite: CipherSuite, first: Uint8Array, count: number): Uint8Array[] {
  const secrets: Uint8Array[] = [];
  for (let secret = first, i = 0; i < count; i++, secret = nextPathSecret(suite, secret))
    secrets.push(secret);
  return secrets;
}

/** §7.4: the commit secret is the path secret one step above the root's. */
export const commitSecret = (suite: CipherSuite, rootPathSecret: Uint8Array): Uint8Array =>
  nextPathSecret(suite, rootPathSecret);

/**
 * One member's private view of the tree: its leaf, its leaf's private key and the path secrets it holds for
 * parent nodes on its direct path (from which the private keys derive).
 */
export class PrivateTreeView {
  private constructor(
    readonly leafIndex: number,
    private readonly leafPrivateKey: Uint8Array,
    private readonly secrets: ReadonlyMap<number, Uint8Array>,
  ) {}

  static of(leafIndex: number, leafPrivateKey: Uint8Array, pathSecrets = new Map<number, Uint8Array>()) {
    return new PrivateTreeView(leafIndex, leafPrivateKey, new Map(pathSecrets));
  }

  /** The path secret held for parent node x, if any. */
  pathSecret(x: number): Uint8Array | undefined {
    return this.secrets.get(x);
  }

  /** The private key of node x: the leaf's own, or derived from the path secret held for a parent. */
  privateKey(suite: CipherSuite, x: number): Uint8Array | undefined {
    if (x === 2 * this.leafIndex) return this.leafPrivateKey;
    const secret = this.secrets.get(x);
    return secret && nodeKeyPair(suite, secret).privateKey;
  }

  /** A view with new path secrets for these nodes, replacing the old ones, and optionally a new leaf key. */
  with(pathSecrets: ReadonlyMap<number, Uint8Array>, leafPrivateKey = this.leafPrivateKey): PrivateTreeView {
    if (pathSecrets.has(2 * this.leafIndex))
      throw new ParleyMlsError("usage", "a leaf's key is not held as a path secret");
    return new PrivateTreeView(this.leafIndex, leafPrivateKey, new Map([...this.secrets, ...pathSecrets]));
  }

  /** A view without the path secrets of these nodes (blanked ones). */
  without(nodes: Iterable<number>): PrivateTreeView {
    const secrets = new Map(this.secrets);
    for (const x of nodes) secrets.delete(x);
    return new PrivateTreeView(this.leafIndex, this.leafPrivateKey, secrets);
  }
}
