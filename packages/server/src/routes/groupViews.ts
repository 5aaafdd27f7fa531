import type { PublicGroupView } from "@parley/mls";
import { BoundedMap } from "../limits/boundedMap.js";
import { storedView } from "./commitCheck.js";

/**
 * Verified public views of recently committed groups, each kept with the GroupInfo bytes it stands for: reading
 * a view from a stored GroupInfo verifies its signature and hashes its whole tree, which the commit that stored
 * it already did. A view is reused only for byte-identical GroupInfo, so one instance's cache can never stand in
 * for a GroupInfo another instance (or a rolled-back commit) wrote.
 */
export class GroupViews {
  private readonly views: BoundedMap<string, { groupInfo: Uint8Array; view: PublicGroupView }>;

  constructor(capacity: number) {
    this.views = new BoundedMap(capacity);
  }

  /** The view of `stored`, the group's current GroupInfo. */
  async of(groupId: string, stored: Uint8Array): Promise<PublicGroupView> {
    const hit = this.views.get(groupId);
    if (hit && Buffer.from(hit.groupInfo).equals(Buffer.from(stored))) return hit.view;
    const view = await storedView(stored);
    this.views.set(groupId, { groupInfo: stored, view });
    return view;
  }

  /** The view a commit's next GroupInfo was checked into, once that commit is stored. */
  remember(groupId: string, groupInfo: Uint8Array, view: PublicGroupView): void {
    this.views.set(groupId, { groupInfo, view });
  }
}
