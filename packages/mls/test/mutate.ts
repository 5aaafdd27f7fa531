/** Deterministic input mutation for fuzz tests: bit flips, truncations, extensions and byte overwrites. */

/** mulberry32: a tiny seeded PRNG, so a failing case can be replayed from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Mutation = "bit-flip" | "truncate" | "extend" | "overwrite";
export const MUTATIONS: readonly Mutation[] = ["bit-flip", "truncate", "extend", "overwrite"];

/** A mutated copy of `input`; never equal to it. */
export function mutate(input: Uint8Array, kind: Mutation, random: () => number): Uint8Array {
  const at = (n: number) => Math.floor(random() * n);
  switch (kind) {
    case "bit-flip": {
      const out = input.slice();
      const i = at(out.length);
      out[i] = (out[i] ?? 0) ^ (1 << at(8));
      return out;
    }
    case "truncate":
      return input.slice(0, at(input.length));
    case "extend": {
      const extra = new Uint8Array(1 + at(64)).map(() => at(256));
      const out = new Uint8Array(input.length + extra.length);
      out.set(input);
      out.set(extra, input.length);
      return out;
    }
    case "overwrite": {
      const out = input.slice();
      const i = at(out.length);
      out[i] = ((out[i] ?? 0) + 1 + at(255)) & 0xff;
      return out;
    }
  }
}
