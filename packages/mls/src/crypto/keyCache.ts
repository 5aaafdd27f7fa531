import type { ECDH, KeyObject } from "node:crypto";
import { BoundedCache } from "./boundedCache.js";

/** Imported signature keys and DH key contexts, process-wide: shared by every suite the node provider serves. */
export const signatureKeys = new BoundedCache<KeyObject>();
export const kemKeys = new BoundedCache<KeyObject | ECDH>();

/**
 * Drop the imported objects of keys that are no longer in use (a forgotten epoch's path keys), so that the
 * cache does not keep alive what the group state let go of.
 */
export function forgetKeys(keys: Iterable<Uint8Array>): void {
  for (const key of keys) {
    kemKeys.evict(key);
    signatureKeys.evict(key);
  }
}

/** @internal for tests: whether an object imported from `key` is cached. */
export function isKeyCached(key: Uint8Array): boolean {
  return kemKeys.holds(key) || signatureKeys.holds(key);
}
