import { ParleyMlsError } from "../../errors.js";
import type { CipherSuite } from "../crypto/cipherSuite.js";
import { utf8 } from "../crypto/encode.js";
import { directPath, leafToNode, left, right, root } from "../tree/math.js";
import { type RatchetKey, type RatchetLimits, SecretRatchet } from "./ratchet.js";

export type { RatchetKey, RatchetLimits } from "./ratchet.js";

/** Which of a sender's two ratchets: handshake messages (proposals, commits) or application data. */
export type RatchetType = "handshake" | "application";

const [LEFT, RIGHT] = [utf8("left"), utf8("right")];
const EMPTY = new Uint8Array(0);

export const DEFAULT_RATCHET_LIMITS: RatchetLimits = { maxForwardDistance: 1024, outOfOrderWindow: 32 };

interface SenderRatchets {
  readonly handshake: SecretRatchet;
  readonly application: SecretRatchet;
}

/**
 * The secret tree of one epoch (RFC 9420 §9), derived lazily: it starts from encryption_secret at the root and
 * derives only the path down to a leaf when that leaf first sends or receives, keeping the siblings met on
 * the way and zeroing every node secret it descends from. A leaf's secret becomes its two ratchets at once.
 */
export class SecretTree {
  /** Node secrets not yet descended from: the root at first, then the copath of every leaf used. */
  private readonly nodes = new Map<number, Uint8Array>();
  private readonly senders = new Map<number, SenderRatchets>();
  private readonly limits: RatchetLimits;

  constructor(
    private readonly suite: CipherSuite,
    encryptionSecret: Uint8Array,
    private readonly leafCount: number,
    limits: Partial<RatchetLimits> = {},
  ) {
    if (!Number.isInteger(leafCount) || leafCount < 1)
      throw new ParleyMlsError("usage", `a secret tree needs at least one leaf, got ${leafCount}`);
    this.limits = checkLimits({ ...DEFAULT_RATCHET_LIMITS, ...limits });
    if (encryptionSecret.length !== suite.Nh)
      throw new ParleyMlsError("usage", `encryption_secret must be ${suite.Nh} bytes`);
    this.nodes.set(root(leafCount), encryptionSecret.slice());
  }

  /** The key for this member's next message of `type` from `leaf`. */
  next(leaf: number, type: RatchetType): RatchetKey {
    return this.ratchets(leaf)[type].next();
  }

  /** The key for a received message: consumed on return, so a second request for it is refused. */
  keyFor(leaf: number, type: RatchetType, generation: number): RatchetKey {
    return this.ratchets(leaf)[type].keyFor(generation);
  }

  /** The key `keyFor` would give, without consuming it (a receiver's trial before it commits). */
  peek(leaf: number, type: RatchetType, generation: number): RatchetKey {
    return this.ratchets(leaf)[type].peek(generation);
  }

  /** How many node secrets and sender ratchet pairs are held (the lazy derivation's footprint). */
  get footprint(): { nodeSecrets: number; senders: number } {
    return { nodeSecrets: this.nodes.size, senders: this.senders.size };
  }

  /** Skipped generations still held for `leaf`'s ratchet of `type` (empty when it never ratcheted). */
  skippedGenerations(leaf: number, type: RatchetType): number[] {
    return this.senders.get(leaf)?.[type].skippedGenerations ?? [];
  }

  private ratchets(leaf: number): SenderRatchets {
    const existing = this.senders.get(leaf);
    if (existing) return existing;
    if (!Number.isInteger(leaf) || leaf < 0 || leaf >= this.leafCount)
      throw new ParleyMlsError("invalid", `leaf ${leaf} is outside a tree of ${this.leafCount} leaves`);
    const leafSecret = this.descendTo(leafToNode(leaf));
    const { suite } = this;
    const ratchet = (label: RatchetType) =>
      new SecretRatchet(
        suite,
        suite.expandWithLabel(leafSecret, label, EMPTY, suite.Nh),
        this.limits,
        `leaf ${leaf} ${label} ratchet`,
      );
    const made = { handshake: ratchet("handshake"), application: ratchet("application") };
    leafSecret.fill(0);
    this.senders.set(leaf, made);
    return made;
  }

  /** Derives node x's secret from its nearest held ancestor, keeping the siblings and erasing the rest. */
  private descendTo(x: number): Uint8Array {
    const ancestors = [x, ...directPath(x, this.leafCount)];
    const held = ancestors.find((n) => this.nodes.has(n));
    // Invariant: a leaf without ratchets has exactly one held node among itself and its ancestors.
    if (held === undefined) throw new Error(`secret tree holds no ancestor of node ${x}`);
    let at: number = held;
    let secret = this.nodes.get(at) as Uint8Array;
    this.nodes.delete(at);
    const { suite } = this;
    while (at !== x) {
      const [l, r] = [left(at), right(at, this.leafCount)];
      const leftSecret = suite.expandWithLabel(secret, "tree", LEFT, suite.Nh);
      const rightSecret = suite.expandWithLabel(secret, "tree", RIGHT, suite.Nh);
      secret.fill(0);
      const goLeft = x < at;
      this.nodes.set(goLeft ? r : l, goLeft ? rightSecret : leftSecret);
      [at, secret] = goLeft ? [l, leftSecret] : [r, rightSecret];
    }
    return secret;
  }
}

function checkLimits(limits: RatchetLimits): RatchetLimits {
  const ok = (n: number, min: number) => Number.isInteger(n) && n >= min && n <= 0xffffffff;
  if (!ok(limits.maxForwardDistance, 0) || !ok(limits.outOfOrderWindow, 0))
    throw new ParleyMlsError("usage", "ratchet limits must be non-negative integers");
  return limits;
}
