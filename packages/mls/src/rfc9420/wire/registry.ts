/**
 * RFC 9420's code points (§17 IANA registries and the enums of §§6-12). Values a peer sends that are not
 * listed here stay plain numbers wherever the RFC lets them through (capability lists, extension types).
 */

export const ProtocolVersion = { mls10: 1 } as const;

export const WireFormat = {
  publicMessage: 1,
  privateMessage: 2,
  welcome: 3,
  groupInfo: 4,
  keyPackage: 5,
} as const;

export const ExtensionType = {
  applicationId: 1,
  ratchetTree: 2,
  requiredCapabilities: 3,
  externalPub: 4,
  externalSenders: 5,
} as const;

export const ProposalType = {
  add: 1,
  update: 2,
  remove: 3,
  psk: 4,
  reinit: 5,
  externalInit: 6,
  groupContextExtensions: 7,
} as const;

export const CredentialType = { basic: 1, x509: 2 } as const;

export const LeafNodeSource = { keyPackage: 1, update: 2, commit: 3 } as const;

export const SenderType = { member: 1, external: 2, newMemberProposal: 3, newMemberCommit: 4 } as const;

export const ContentType = { application: 1, proposal: 2, commit: 3 } as const;

export const PskType = { external: 1, resumption: 2 } as const;

export const ResumptionPskUsage = { application: 1, reinit: 2, branch: 3 } as const;

export const NodeType = { leaf: 1, parent: 2 } as const;

export const ProposalOrRefType = { proposal: 1, reference: 2 } as const;

/** §13.5: GREASE values (0x0A0A, 0x1A1A, … 0xEAEA), which peers advertise so that unknown values stay tolerated. */
export function isGrease(value: number): boolean {
  return (value & 0x0f0f) === 0x0a0a && value >> 12 === ((value >> 4) & 0xf) && value <= 0xeaea;
}
