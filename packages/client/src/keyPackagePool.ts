import {
  createBinding,
  createKeyPackage,
  DEVICE_BINDING_EXTENSION_TYPE,
  encodeKeyPackageBundle,
  type IdentityKeyPair,
  type KeyPackageBundle,
  type MlsSuite,
  type SignatureKeyPair,
} from "@parley/mls";
import { toHex } from "./bytes.js";
import { GROUP_NAME_EXTENSION } from "./groupName.js";
import type { DeviceAddress } from "./identity.js";
import { credentialIdentity } from "./identity.js";
import type { ClientStore, KeyPackageRecord } from "./storage/store.js";
import type { Transport } from "./transport/transport.js";

export interface PoolPolicy {
  /** Replenish when fewer than this many are left on the server (default 10). */
  readonly lowWater: number;
  /** Top up to this many (default 30). */
  readonly target: number;
}

export const DEFAULT_POOL: PoolPolicy = { lowWater: 10, target: 30 };
const UPLOAD_BATCH = 100; // below the server's per-upload limit

/** This device's MLS identity: its address, signature key, and the account identity key that binds them. */
export interface DeviceKeys {
  readonly address: DeviceAddress;
  readonly keys: SignatureKeyPair;
  readonly identity: IdentityKeyPair;
}

/**
 * Every key package (and the group creator's leaf) advertises the group-name extension so renames are allowed,
 * and carries the device binding, so every member can check whose device it is.
 */
export function newKeyPackage(
  suite: MlsSuite,
  device: DeviceKeys,
  lastResort = false,
): Promise<KeyPackageBundle> {
  const binding = createBinding(device.identity, device.address.username, device.keys.publicKey);
  return createKeyPackage(suite, {
    identity: credentialIdentity(device.address),
    signatureKeyPair: device.keys,
    capabilities: { ciphersuites: [suite.id], credentials: ["basic"], extensions: [GROUP_NAME_EXTENSION] },
    lastResort,
    leafExtensions: [{ type: DEVICE_BINDING_EXTENSION_TYPE, data: binding }],
  });
}

/**
 * Keep this device's key packages available on the server (RFC 9750: one-time packages plus a last-resort one).
 * Private keys are stored before the public halves are uploaded, so a Welcome to any uploaded package can be
 * opened even after a crash.
 */
export async function replenishKeyPackages(
  suite: MlsSuite,
  device: DeviceKeys,
  store: ClientStore,
  transport: Transport,
  policy: PoolPolicy,
): Promise<number> {
  const count = await transport.keyPackageCount();
  const wanted = count.available < policy.lowWater ? policy.target - count.available : 0;
  if (wanted <= 0 && count.lastResort) return 0;
  const fresh: KeyPackageBundle[] = [];
  for (let i = 0; i < wanted; i++) fresh.push(await newKeyPackage(suite, device));
  const lastResort = count.lastResort ? undefined : await newKeyPackage(suite, device, true);
  const now = Date.now();
  const record = (b: KeyPackageBundle, isLastResort: boolean): KeyPackageRecord => ({
    ref: toHex(b.ref),
    bundle: encodeKeyPackageBundle(b),
    lastResort: isLastResort,
    createdAt: now,
  });
  await store.write({
    keyPackages: [...fresh.map((b) => record(b, false)), ...(lastResort ? [record(lastResort, true)] : [])],
  });
  let uploaded = 0;
  for (let i = 0; i < Math.max(fresh.length, 1); i += UPLOAD_BATCH) {
    const batch = fresh.slice(i, i + UPLOAD_BATCH).map((b) => b.message);
    if (batch.length === 0 && (i > 0 || !lastResort)) break;
    uploaded += await transport.uploadKeyPackages(batch, i === 0 ? lastResort?.message : undefined);
  }
  return uploaded;
}
