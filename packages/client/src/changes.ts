import { inspectKeyPackage, type MlsGroup, ParleyMlsError } from "@parley/mls";
import type { CommitPlan, Planner } from "./commit.js";
import { renamedExtensions } from "./groupName.js";
import { addressOf, deviceIdOf, parseIdentity } from "./identity.js";

/** A key package claimed from the server for one device of a user. */
export interface ClaimedKeyPackage {
  readonly username: string;
  readonly deviceId: string;
  readonly keyPackage: Uint8Array;
}

const devicesIn = (group: MlsGroup) => new Set(group.members().map((m) => addressOf(m)?.deviceId));

/**
 * A claimed key package is usable when it is for our ciphersuite and its credential names the user and device
 * the server said, bound to the key that signed it. (The server checked the signature; we check the naming.)
 */
export function checkClaimed(suiteId: number, claimed: ClaimedKeyPackage): boolean {
  try {
    const info = inspectKeyPackage(claimed.keyPackage);
    if (info.cipherSuite !== suiteId || info.credential.type !== "basic") return false;
    const address = parseIdentity(info.credential.identity);
    return (
      address?.username === claimed.username &&
      address.deviceId === claimed.deviceId &&
      deviceIdOf(info.signatureKey) === claimed.deviceId
    );
  } catch (err) {
    if (err instanceof ParleyMlsError) return false;
    throw err;
  }
}

/**
 * Add the claimed devices not yet in the group. The same claims serve every retry: after losing a race, a device
 * the winner already added is skipped, and the rest go in on the new epoch.
 */
export function addDevices(claimed: ClaimedKeyPackage[]): Planner {
  return (group) => {
    const present = devicesIn(group);
    const fresh = claimed.filter((c) => !present.has(c.deviceId));
    if (fresh.length === 0) return undefined;
    return {
      changes: { add: fresh.map((c) => c.keyPackage) },
      added: fresh.map((c) => c.deviceId),
      removed: [],
    };
  };
}

/** Remove every leaf that matches, except our own (MLS does not let a committer remove itself). */
export function removeLeaves(match: (username: string, deviceId: string) => boolean): Planner {
  return (group): CommitPlan | undefined => {
    const leaves = group.members().flatMap((m) => {
      const a = addressOf(m);
      return a && m.leafIndex !== group.ownLeafIndex && match(a.username, a.deviceId)
        ? [{ leaf: m.leafIndex, deviceId: a.deviceId }]
        : [];
    });
    if (leaves.length === 0) return undefined;
    return {
      changes: { remove: leaves.map((l) => l.leaf) },
      added: [],
      removed: leaves.map((l) => l.deviceId),
    };
  };
}

/** Rename through a GroupContextExtensions commit; nothing to do if the name is already that. */
export function rename(name: string, current: (group: MlsGroup) => string): Planner {
  return (group) =>
    current(group) === name
      ? undefined
      : { changes: { groupContextExtensions: renamedExtensions(group, name) }, added: [], removed: [] };
}
