import assert from "node:assert/strict";
import { createKeyPackage, generateSignatureKeyPair, loadSuite, MlsGroup, toBareWelcome } from "@parley/mls";
import { parseExternalSenderPackage, snowflakeBytes } from "../../src/index.js";
import type { TestGateway } from "./testGateway.js";

/**
 * A group made with plain MLS by `userId` (so a test controls every byte): group id `channel`, the gateway as
 * its external sender, and a Welcome (bare) adding the `joiner` key package.
 */
export async function peerGroup(gateway: TestGateway, joiner: Uint8Array, channel: string, userId: string) {
  const suite = await loadSuite(2);
  const signatureKeyPair = await generateSignatureKeyPair(suite);
  const keyPackage = await createKeyPackage(suite, {
    identity: snowflakeBytes(userId),
    signatureKeyPair,
    lifetime: { notBefore: 0n, notAfter: (1n << 64n) - 1n },
    capabilities: { ciphersuites: [2], credentials: ["basic"] },
  });
  const sender = parseExternalSenderPackage(gateway.externalSender);
  const group = await MlsGroup.create(suite, keyPackage, {
    groupId: snowflakeBytes(channel),
    externalSenders: [{ signatureKey: sender.signatureKey, identity: sender.identity }],
  });
  const staged = await group.commit({
    add: [joiner],
    publicMessage: true,
    ratchetTreeInWelcome: true,
  });
  assert.ok(staged.welcome);
  return { group: staged.group, welcome: toBareWelcome(staged.welcome) };
}

/** `group` as it would be if its own leaf named `userId`: its next UpdatePath then carries that credential. */
export function withOwnIdentity(group: MlsGroup, userId: string): MlsGroup {
  const tree = [...group.state.ratchetTree];
  const at = group.ownLeafIndex * 2;
  const node = tree[at];
  assert.equal(node?.nodeType, "leaf");
  const leaf = {
    ...node.leaf,
    credential: { credentialType: "basic" as const, identity: snowflakeBytes(userId) },
  };
  tree[at] = { ...node, leaf };
  return MlsGroup.fromState(group.suite, { ...group.state, ratchetTree: tree }, group.groupOptions);
}
