import { createHash, randomInt } from "node:crypto";

/** The environment variable that fixes the base seed, to replay a run. */
export const SEED_ENV = "PARLEY_TEST_SEED";

const TWO_32 = 2 ** 32;

/**
 * A seeded PRNG for test decisions (who joins, when, what garbage, which sizes): sfc32, a small fast counting
 * generator with 128 bits of state. Not for key material: the product keeps using node:crypto for that.
 */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** Any string seeds a generator; SHA-256 spreads it over the state, so similar seeds give unrelated streams. */
  constructor(seed: string) {
    const state = createHash("sha256").update(seed).digest();
    this.a = state.readUInt32LE(0);
    this.b = state.readUInt32LE(4);
    this.c = state.readUInt32LE(8);
    this.d = state.readUInt32LE(12);
    // sfc32's customary warm-up, so the first outputs are well mixed too.
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) + t;
    this.c |= 0;
    return t >>> 0;
  }

  /** An integer in [0, maxExclusive), without modulo bias. */
  int(maxExclusive: number): number {
    if (!Number.isInteger(maxExclusive) || maxExclusive < 1 || maxExclusive > TWO_32) {
      throw new RangeError(`int() needs an integer bound in 1..2^32, got ${maxExclusive}`);
    }
    const limit = TWO_32 - (TWO_32 % maxExclusive);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % maxExclusive;
    }
  }

  /** `n` bytes, as a Buffer (what tests compare and concatenate). */
  bytes(n: number): Buffer {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i += 4) {
      const x = this.nextUint32();
      for (let j = 0; j < 4 && i + j < n; j++) out[i + j] = (x >>> (8 * j)) & 0xff;
    }
    return out;
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.nextUint32() < p * TWO_32;
  }

  /** `n` characters drawn from `alphabet`. */
  string(n: number, alphabet: string): string {
    return Array.from({ length: n }, () => alphabet[this.int(alphabet.length)]).join("");
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError("pick() from an empty list");
    return items[this.int(items.length)] as T;
  }

  /** A shuffled copy (Fisher–Yates); `items` is left as it is. */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j] as T, out[i] as T];
    }
    return out;
  }
}

function parseSeed(text: string): number {
  const seed = Number(text);
  if (!/^\d+$/.test(text) || seed >= TWO_32) {
    throw new Error(`${SEED_ENV} must be an integer from 0 to ${TWO_32 - 1}, not "${text}"`);
  }
  return seed;
}

let base: number | undefined;

/** This process's base seed: PARLEY_TEST_SEED when set, otherwise drawn once at random. */
export function baseSeed(): number {
  const fromEnv = process.env[SEED_ENV];
  base ??= fromEnv ? parseSeed(fromEnv) : randomInt(0, TWO_32);
  return base;
}

/** What `testRandom` needs of node:test's TestContext. */
export interface SeededTest {
  readonly name: string;
  diagnostic(message: string): void;
}

/**
 * The generator for one test, seeded from the base seed and the test's name: each test draws its own stream,
 * so adding draws to one test never shifts another's. The seed goes to the test's diagnostics for replay.
 */
export function testRandom(t: SeededTest): Random {
  const seed = baseSeed();
  t.diagnostic(`seed ${seed} (${SEED_ENV}=${seed} to replay)`);
  return new Random(`${seed}:${t.name}`);
}
