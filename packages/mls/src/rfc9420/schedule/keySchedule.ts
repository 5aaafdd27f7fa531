import type { CipherSuite, HpkeKeyPair } from "../crypto/cipherSuite.js";

/** What a member derives for one epoch (RFC 9420 §8, Table 4), plus the secrets that lead to it. */
export interface EpochSecrets {
  readonly joinerSecret: Uint8Array;
  readonly welcomeSecret: Uint8Array;
  readonly senderDataSecret: Uint8Array;
  readonly encryptionSecret: Uint8Array;
  readonly exporterSecret: Uint8Array;
  readonly externalSecret: Uint8Array;
  readonly confirmationKey: Uint8Array;
  readonly membershipKey: Uint8Array;
  readonly resumptionPsk: Uint8Array;
  readonly epochAuthenticator: Uint8Array;
  /** The next epoch's init_secret. */
  readonly initSecret: Uint8Array;
}

export interface EpochInput {
  /** The serialized GroupContext of the new epoch. */
  readonly groupContext: Uint8Array;
  /** Absent when the commit has no path: Nh zero bytes (§8). */
  readonly commitSecret?: Uint8Array;
  /** Absent when no PSK is used: Nh zero bytes (§8.4). */
  readonly pskSecret?: Uint8Array;
}

/** A committer's or existing member's path: from the previous epoch's init_secret. */
export function deriveEpochSecrets(
  suite: CipherSuite,
  previousInitSecret: Uint8Array,
  input: EpochInput,
): EpochSecrets {
  const commitSecret = input.commitSecret ?? new Uint8Array(suite.Nh);
  const joinerSecret = suite.expandWithLabel(
    suite.extract(previousInitSecret, commitSecret),
    "joiner",
    input.groupContext,
    suite.Nh,
  );
  return secretsFromJoiner(suite, joinerSecret, input);
}

/** A new member's path: from the joiner_secret its Welcome carried (§12.4.3.1). */
export function secretsFromJoiner(
  suite: CipherSuite,
  joinerSecret: Uint8Array,
  input: Omit<EpochInput, "commitSecret">,
): EpochSecrets {
  const pskSecret = input.pskSecret ?? new Uint8Array(suite.Nh);
  const member = suite.extract(joinerSecret, pskSecret);
  const epochSecret = suite.expandWithLabel(member, "epoch", input.groupContext, suite.Nh);
  const derive = (label: string) => suite.deriveSecret(epochSecret, label);
  return {
    joinerSecret,
    welcomeSecret: suite.deriveSecret(member, "welcome"),
    senderDataSecret: derive("sender data"),
    encryptionSecret: derive("encryption"),
    exporterSecret: derive("exporter"),
    externalSecret: derive("external"),
    confirmationKey: derive("confirm"),
    membershipKey: derive("membership"),
    resumptionPsk: derive("resumption"),
    epochAuthenticator: derive("authentication"),
    initSecret: derive("init"),
  };
}

/** The AEAD key and nonce that protect a Welcome's GroupInfo (§12.4.3.1). */
export function welcomeKeyAndNonce(
  suite: CipherSuite,
  welcomeSecret: Uint8Array,
): { key: Uint8Array; nonce: Uint8Array } {
  const empty = new Uint8Array(0);
  return {
    key: suite.expandWithLabel(welcomeSecret, "key", empty, suite.Nk),
    nonce: suite.expandWithLabel(welcomeSecret, "nonce", empty, suite.Nn),
  };
}

/** The epoch's external key pair, whose public half goes into the external_pub extension (§8.3). */
export function externalKeyPair(suite: CipherSuite, externalSecret: Uint8Array): HpkeKeyPair {
  return suite.deriveKeyPair(externalSecret);
}
