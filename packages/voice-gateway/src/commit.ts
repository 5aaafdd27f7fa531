import { inspectMessage, type MessageInfo } from "@parley/mls";
import { splitCommitWelcome } from "./commitMessage.js";
import { asGatewayError, VoiceGatewayError } from "./errors.js";
import type { ValidKeyPackage } from "./keyPackage.js";
import type { ProposalEntry } from "./proposals.js";
import type { Roster } from "./roster.js";
import { snowflakeToBytes } from "./snowflake.js";
import { checkWelcome } from "./welcome.js";

/** What the gateway knows when a commit arrives. */
export interface CommitContext {
  readonly groupId: Uint8Array;
  readonly epoch: bigint;
  /** False during initial group creation: the committer's local one-member group is the base. */
  readonly established: boolean;
  readonly roster: Roster;
  /** The proposals this committer must reference: every unrevoked one it was sent. */
  readonly expected: readonly ProposalEntry[];
  readonly committer: { readonly userId: string; readonly signatureKey: Uint8Array | undefined };
}

export interface AcceptedCommit {
  readonly commit: Uint8Array;
  readonly welcome: Uint8Array | undefined;
  readonly removed: readonly number[];
  readonly added: ReadonlyArray<{ readonly userId: string; readonly keyPackage: ValidKeyPackage }>;
  /** The roster after the commit. */
  readonly roster: Roster;
}

const invalid = (why: string) => new VoiceGatewayError("invalid-commit", why);

/**
 * Voice gateway commit validity (protocol.md): a PublicMessage commit from a member for the current epoch that
 * references, by reference only, exactly the unrevoked add/remove proposals of the epoch (at least one), and
 * does not change the committer's credential or signature key; its Welcome must be present exactly when it
 * adds members and must be for exactly those key packages. The gateway cannot check the commit's signature or
 * membership tag (it has neither the group context nor the membership key); members do.
 */
export async function validateCommit(payload: Uint8Array, ctx: CommitContext): Promise<AcceptedCommit> {
  const frame = splitCommitWelcome(payload);
  let info: MessageInfo;
  try {
    info = inspectMessage(frame.commit);
  } catch (err) {
    throw asGatewayError(err, "invalid-commit", "commit does not decode");
  }
  if (info.wireFormat !== "mls_public_message" || info.contentType !== "commit") {
    throw invalid("op 28 must carry a PublicMessage commit");
  }
  if (!Buffer.from(info.groupId).equals(Buffer.from(ctx.groupId)))
    throw invalid("commit is for another group");
  if (info.epoch !== ctx.epoch) throw invalid(`commit for epoch ${info.epoch}; the group is at ${ctx.epoch}`);
  if (info.sender.type !== "member") throw invalid("commit is not from a member");

  // Who the committer is in the group, and with which signature key.
  let committerKey: Uint8Array | undefined;
  if (ctx.established) {
    const leaf = ctx.roster.leaves.get(info.sender.leafIndex);
    if (!leaf || leaf.userId !== ctx.committer.userId) {
      throw invalid(`commit's sender leaf ${info.sender.leafIndex} is not the connected user`);
    }
    committerKey = leaf.signatureKey;
  } else {
    if (info.sender.leafIndex !== 0) throw invalid("a new group's creator commits from leaf 0");
    committerKey = ctx.committer.signatureKey;
    if (!committerKey) throw invalid("the group creator has sent no key package");
  }
  if (frame.pathLeaf) {
    const { identity, signatureKey } = frame.pathLeaf;
    if (!identity || !Buffer.from(identity).equals(snowflakeToBytes(ctx.committer.userId))) {
      throw invalid("commit changes the committer's credential");
    }
    if (!Buffer.from(signatureKey).equals(Buffer.from(committerKey))) {
      throw invalid("commit changes the committer's signature key");
    }
  }

  // Exactly the expected proposals, by reference.
  if (info.proposals.length === 0) throw invalid("commit references no proposals");
  const expected = new Map(ctx.expected.map((e) => [e.refHex, e]));
  const used: ProposalEntry[] = [];
  for (const p of info.proposals) {
    if (p.type !== "reference") throw invalid("commit carries a proposal by value");
    const entry = expected.get(Buffer.from(p.ref).toString("hex"));
    if (!entry) throw invalid("commit references a proposal the gateway did not send or has revoked");
    expected.delete(entry.refHex);
    used.push(entry);
  }
  if (expected.size > 0) throw invalid(`commit leaves out ${expected.size} unrevoked proposal(s)`);

  const removed: number[] = [];
  const added: { userId: string; keyPackage: ValidKeyPackage }[] = [];
  for (const { body } of used) {
    if (body.type === "remove") removed.push(body.leaf);
    else added.push({ userId: body.userId, keyPackage: body.keyPackage });
  }
  if (added.length > 0) {
    if (!frame.welcome)
      throw new VoiceGatewayError("invalid-welcome", "commit adds members but has no Welcome");
    checkWelcome(
      frame.welcome,
      added.map((a) => a.keyPackage.ref),
    );
  } else if (frame.welcome) {
    throw new VoiceGatewayError("invalid-welcome", "commit adds no one but carries a Welcome");
  }

  const base = ctx.established
    ? ctx.roster
    : ctx.roster.apply([], [{ userId: ctx.committer.userId, signatureKey: committerKey }]);
  const roster = base.apply(
    removed,
    added.map((a) => ({ userId: a.userId, signatureKey: a.keyPackage.signatureKey })),
  );
  return { commit: frame.commit, welcome: frame.welcome, removed, added, roster };
}
