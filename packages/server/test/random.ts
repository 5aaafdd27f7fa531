/**
 * A small seeded generator for tests (mulberry32): the same seed gives the same sequence, so a failing run
 * is replayed with its printed seed. Not for anything secret.
 */
export class Random {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** The seed from PARLEY_TEST_SEED, else a random one. */
  static fromEnv(): Random {
    const given = process.env.PARLEY_TEST_SEED;
    return new Random(given ? Number(given) : Math.floor(Math.random() * 2 ** 32));
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError("pick from nothing");
    return items[this.int(items.length)] as T;
  }

  bytes(n: number): Uint8Array {
    return Uint8Array.from({ length: n }, () => this.int(256));
  }

  /** `n` characters drawn from `alphabet`. */
  string(n: number, alphabet: string): string {
    return Array.from({ length: n }, () => alphabet[this.int(alphabet.length)]).join("");
  }
}
