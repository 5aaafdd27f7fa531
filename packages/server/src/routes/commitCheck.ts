import {
  type CommitChange,
  CommitCheckError,
  type CommitRefusal,
  type IncomingLeaf,
  ParleyMlsError,
  type ProposalInfo,
  PublicGroupView,
} from "@parley/mls";
import { deviceIdOf } from "../auth/tokens.js";
import { namesDevice } from "../credentials.js";
import { ApiError } from "../errors.js";
import type { GroupStore } from "../storage/groups.js";

/** The membership change the server records for a commit, as device ids. */
export interface DeviceChange {
  readonly added: string[];
  readonly removed: string[];
}

const REFUSALS: Record<CommitRefusal, [number, string]> = {
  malformed: [400, "invalid_mls"],
  not_public: [400, "commit_not_public"],
  wrong_group: [400, "wrong_group"],
  wrong_epoch: [409, "epoch_conflict"],
  unknown_sender: [400, "unknown_sender"],
  bad_signature: [400, "bad_signature"],
  bad_proposal: [400, "invalid_proposal"],
  bad_path: [400, "invalid_path"],
  bad_group_info: [400, "group_info_mismatch"],
};

/** Run a public-view check, reporting its refusal as the API's. */
async function checked<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof CommitCheckError) {
      const [status, code] = REFUSALS[err.reason];
      throw new ApiError(status, code, `${what}: ${err.message}`);
    }
    if (err instanceof ParleyMlsError) throw new ApiError(400, "invalid_mls", `${what}: ${err.message}`);
    throw err;
  }
}

/** The group's view from its stored GroupInfo; one that no longer reads leaves the group uncommittable. */
export async function storedView(stored: Uint8Array): Promise<PublicGroupView> {
  try {
    return await PublicGroupView.fromGroupInfo(stored);
  } catch (err) {
    if (err instanceof ParleyMlsError) {
      throw new ApiError(409, "group_info_invalid", "the group's stored GroupInfo does not verify");
    }
    throw err;
  }
}

/** A GroupInfo uploaded at creation: epoch 0, and its one member is the creating device. */
export async function checkInitialGroupInfo(groups: GroupStore, bytes: Uint8Array, deviceId: string) {
  const view = await checked("groupInfo", () => PublicGroupView.fromGroupInfo(bytes));
  const [only, ...others] = view.members();
  if (view.epoch !== 0n || !only || others.length > 0) {
    throw new ApiError(400, "group_info_mismatch", "a new group's GroupInfo is epoch 0 with one member");
  }
  await requireOwnLeaf(groups, only, deviceId, "the GroupInfo's member");
  return view;
}

/** A leaf is a device's when its key is that device's and its credential says `username/deviceId`. */
async function requireOwnLeaf(groups: GroupStore, leaf: IncomingLeaf, deviceId: string, what: string) {
  const owner = (await groups.deviceOwners([deviceId])).get(deviceId);
  if (deviceIdOf(leaf.signatureKey) !== deviceId || !namesDevice(leaf.credential, owner, deviceId)) {
    throw new ApiError(400, "credential_mismatch", `${what} is not this device's own leaf`);
  }
}

/** Added devices must be registered, and each Add's credential must name the device's own account. */
async function addedDevices(groups: GroupStore, added: readonly IncomingLeaf[]): Promise<string[]> {
  const ids = added.map((leaf) => deviceIdOf(leaf.signatureKey));
  if (new Set(ids).size !== ids.length) {
    throw new ApiError(400, "invalid_proposal", "the commit adds the same device twice");
  }
  const owners = await groups.deviceOwners(ids);
  added.forEach((leaf, i) => {
    const id = ids[i] as string;
    const owner = owners.get(id);
    if (owner === undefined) throw new ApiError(400, "unknown_device", `device ${id} is not registered`);
    if (!namesDevice(leaf.credential, owner, id)) {
      throw new ApiError(
        400,
        "credential_mismatch",
        `the key package for device ${id} names another identity`,
      );
    }
  });
  return ids;
}

/** Declared lists (kept for older clients) must say exactly what the commit does. */
function requireDeclared(derived: DeviceChange, declared: DeviceChange): void {
  const same = (a: readonly string[], b: readonly string[]) =>
    JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());
  if (!same(derived.added, declared.added) || !same(derived.removed, declared.removed)) {
    throw new ApiError(400, "membership_mismatch", "declared devices differ from what the commit does");
  }
}

/** A checked commit's membership change, and the view its next GroupInfo was read into, if it carried one. */
export type CheckedCommit = DeviceChange & { readonly next?: PublicGroupView };

export interface CommitRequest {
  readonly commit: Uint8Array;
  readonly groupInfo?: Uint8Array | undefined;
  /** The authenticated device that posts it. */
  readonly deviceId: string;
  readonly declared: DeviceChange;
}

/**
 * Every commit to a group with a public view: verified against it (RFC 9420 §6.1), its membership change
 * derived from its proposals, the committer's own leaf, and the uploaded GroupInfo must follow from it.
 */
export async function checkViewedCommit(
  groups: GroupStore,
  groupId: string,
  view: PublicGroupView,
  request: CommitRequest,
): Promise<CheckedCommit> {
  let change: CommitChange;
  try {
    change = await checked("commit", () => view.checkCommit(request.commit));
  } catch (err) {
    if (err instanceof ApiError && err.code === "epoch_conflict") {
      throw new ApiError(409, "epoch_conflict", err.message, { currentEpoch: await groups.epoch(groupId) });
    }
    throw err;
  }
  if (change.committer && deviceIdOf(change.committer.signatureKey) !== request.deviceId) {
    throw new ApiError(400, "wrong_sender", "the commit is sent from another device's leaf");
  }
  if (change.pathLeaf) await requireOwnLeaf(groups, change.pathLeaf, request.deviceId, "the UpdatePath leaf");
  const derived: DeviceChange = {
    added: change.external ? [request.deviceId] : await addedDevices(groups, change.added),
    removed: change.removed.map((m) => deviceIdOf(m.signatureKey)),
  };
  requireDeclared(derived, request.declared);
  const groupInfo = request.groupInfo;
  if (!groupInfo) {
    throw new ApiError(400, "group_info_required", "a commit must carry the next epoch's GroupInfo");
  }
  const next = await checked("groupInfo", () => view.checkNextGroupInfo(groupInfo, change));
  return { ...derived, next };
}

/**
 * A group registered without a GroupInfo has no view: only the PublicMessage's declared Adds can be checked.
 * A GroupInfo uploaded with the commit must read as the next epoch's; it becomes the group's view.
 */
export async function checkUnviewedCommit(
  info: { proposals: readonly ProposalInfo[]; external: boolean; epoch: bigint; groupId: Uint8Array },
  request: CommitRequest,
): Promise<CheckedCommit> {
  checkDeclaredChange(info.proposals, info.external, request.deviceId, request.declared);
  const groupInfo = request.groupInfo;
  if (!groupInfo) return request.declared;
  const next = await checked("groupInfo", () => PublicGroupView.fromGroupInfo(groupInfo));
  if (next.epoch !== info.epoch + 1n || Buffer.compare(next.groupId, info.groupId) !== 0) {
    throw new ApiError(400, "group_info_mismatch", "the GroupInfo is not for this group's next epoch");
  }
  return { ...request.declared, next };
}

/** Without a view: Adds as declared, the number of Removes, and an external committer adding itself. */
function checkDeclaredChange(
  proposals: readonly ProposalInfo[],
  external: boolean,
  committer: string,
  { added, removed }: DeviceChange,
): void {
  const expectedAdded = external
    ? [committer]
    : proposals.map((p) => (p.type === "add" ? deviceIdOf(p.keyPackage.signatureKey) : "")).filter(Boolean);
  if (external && !proposals.some((p) => p.type === "external_init")) {
    throw new ApiError(400, "invalid_mls", "an external commit must carry an ExternalInit proposal");
  }
  if (JSON.stringify(expectedAdded.sort()) !== JSON.stringify([...added].sort())) {
    throw new ApiError(
      400,
      "membership_mismatch",
      external
        ? "an external commit adds exactly the committing device"
        : "declared added devices differ from the commit's Add proposals",
    );
  }
  if (proposals.filter((p) => p.type === "remove").length !== removed.length) {
    throw new ApiError(
      400,
      "membership_mismatch",
      "declared removals differ from the commit's Remove proposals",
    );
  }
}
