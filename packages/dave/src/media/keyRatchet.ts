import { createHmac } from "node:crypto";

const KEY_BYTES = 16;
const SECRET_BYTES = 32;

/**
 * RFC 9420 ExpandWithLabel over SHA-256, with `secret` used directly as the HKDF PRK (no extract step): the
 * media base secret is 16 bytes, and node's hkdf always extracts first.
 */
function expandWithLabel(secret: Uint8Array, label: string, context: Uint8Array, length: number): Uint8Array {
  const fullLabel = Buffer.from(`MLS 1.0 ${label}`);
  const info = Buffer.concat([
    Buffer.from([length >> 8, length & 0xff, fullLabel.length]),
    fullLabel,
    Buffer.from([context.length]),
    context,
  ]);
  const out = new Uint8Array(length);
  let previous = Buffer.alloc(0);
  for (let i = 1, offset = 0; offset < length; i++, offset += 32) {
    previous = createHmac("sha256", secret).update(previous).update(info).update(Uint8Array.of(i)).digest();
    out.set(previous.subarray(0, Math.min(32, length - offset)), offset);
  }
  return out;
}

const be32 = (n: number) => Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);

/**
 * A sender's media key ratchet (libdave's MlsKeyRatchet, DAVE "Sender key derivation"): from the 16-byte base
 * secret, generation g's key is ExpandWithLabel(secret_g, "key", BE32(g), 16) and
 * secret_{g+1} = ExpandWithLabel(secret_g, "secret", BE32(g), 32). A deleted generation cannot come back.
 */
export class KeyRatchet {
  private secret: Uint8Array;
  private nextGeneration = 0;
  private readonly keys = new Map<number, Uint8Array>();

  constructor(baseSecret: Uint8Array) {
    if (baseSecret.length !== KEY_BYTES) throw new RangeError(`a DAVE base secret is ${KEY_BYTES} bytes`);
    this.secret = baseSecret.slice();
  }

  /** The 16-byte AES-128-GCM key of `generation`, or null for a deleted or invalid generation. */
  getKey(generation: number): Uint8Array | null {
    if (!Number.isInteger(generation) || generation < 0 || generation > 0xffffffff) return null;
    const cached = this.keys.get(generation);
    if (cached) return cached;
    if (generation < this.nextGeneration) return null;
    while (this.nextGeneration <= generation) {
      const g = this.nextGeneration;
      this.keys.set(g, expandWithLabel(this.secret, "key", be32(g), KEY_BYTES));
      const next = expandWithLabel(this.secret, "secret", be32(g), SECRET_BYTES);
      this.secret.fill(0);
      this.secret = next;
      this.nextGeneration++;
    }
    return this.keys.get(generation) ?? null;
  }

  /** Zero the secret and every derived key; from now on no generation has a key. */
  erase(): void {
    this.secret.fill(0);
    for (const key of this.keys.values()) key.fill(0);
    this.keys.clear();
    this.nextGeneration = Number.POSITIVE_INFINITY;
  }

  /** Forget `generation`'s key for good (forward secrecy once its frames are no longer expected). */
  deleteKey(generation: number): void {
    this.keys.get(generation)?.fill(0);
    this.keys.delete(generation);
  }
}
