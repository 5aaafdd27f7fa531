import type { Reader, Writer } from "../codec/index.js";
import { decodeProposal, encodeProposal, type Proposal } from "./proposal.js";
import { ProposalOrRefType } from "./registry.js";
import { decodeUpdatePath, encodeUpdatePath, type UpdatePath } from "./updatePath.js";

/** §12.4: a proposal carried in the commit, or a reference (ProposalRef) to one sent before. */
export type ProposalOrRef =
  | { readonly type: typeof ProposalOrRefType.proposal; readonly proposal: Proposal }
  | { readonly type: typeof ProposalOrRefType.reference; readonly reference: Uint8Array };

/** §12.4 Commit. */
export interface Commit {
  readonly proposals: readonly ProposalOrRef[];
  readonly path?: UpdatePath;
}

function decodeProposalOrRef(r: Reader): ProposalOrRef {
  const type = r.uint8("ProposalOrRef.type");
  if (type === ProposalOrRefType.proposal) return { type, proposal: decodeProposal(r) };
  if (type === ProposalOrRefType.reference) return { type, reference: r.opaque("ProposalOrRef.reference") };
  return r.fail("ProposalOrRef.type", `unknown type ${type}`);
}

function encodeProposalOrRef(w: Writer, p: ProposalOrRef): void {
  w.uint8(p.type);
  if (p.type === ProposalOrRefType.proposal) encodeProposal(w, p.proposal);
  else w.opaque(p.reference);
}

export function decodeCommit(r: Reader): Commit {
  const proposals = r.vector("Commit.proposals", decodeProposalOrRef);
  const path = r.optional("Commit.path", decodeUpdatePath);
  return path ? { proposals, path } : { proposals };
}

export function encodeCommit(w: Writer, c: Commit): void {
  w.vector(c.proposals, encodeProposalOrRef);
  w.optional(c.path, encodeUpdatePath);
}
