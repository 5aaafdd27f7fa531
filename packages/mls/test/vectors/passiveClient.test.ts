import assert from "node:assert/strict";
import { test } from "node:test";
import {
  acceptAll,
  type ClientState,
  decodeMlsMessage,
  joinGroup,
  type MLSMessage,
  makePskIndex,
  processMessage,
} from "ts-mls";
import { defaultClientConfig } from "ts-mls/clientConfig.js";
import { decodeRatchetTree } from "ts-mls/ratchetTree.js";
import { family, hex, suiteImpl, toHex } from "./files.js";

interface PassiveClient {
  cipher_suite: number;
  external_psks: { psk_id: string; psk: string }[];
  key_package: string;
  signature_priv: string;
  encryption_priv: string;
  init_priv: string;
  welcome: string;
  ratchet_tree: string | null;
  initial_epoch_authenticator: string;
  epochs: { proposals: string[]; commit: string; epoch_authenticator: string }[];
}

function message(hexBytes: string): MLSMessage {
  const decoded = decodeMlsMessage(hex(hexBytes), 0);
  assert.ok(decoded, "MLSMessage decodes");
  return decoded[0];
}

// The vectors' key packages are long expired; lifetimes are not what these vectors test.
const config = {
  ...defaultClientConfig,
  lifetimeConfig: { ...defaultClientConfig.lifetimeConfig, validateLifetimeOnReceive: false },
};

/** A passive member joins by Welcome, then follows every epoch's proposals and commit. */
async function follow(v: PassiveClient): Promise<void> {
  const cs = await suiteImpl(v.cipher_suite);
  const psks = Object.fromEntries(
    v.external_psks.map((p) => [Buffer.from(hex(p.psk_id)).toString("base64"), hex(p.psk)]),
  );
  const keyPackage = message(v.key_package);
  const welcome = message(v.welcome);
  assert.ok(keyPackage.wireformat === "mls_key_package" && welcome.wireformat === "mls_welcome");
  const tree = v.ratchet_tree === null ? undefined : decodeRatchetTree(hex(v.ratchet_tree), 0)?.[0];
  let state: ClientState = await joinGroup(
    welcome.welcome,
    keyPackage.keyPackage,
    {
      initPrivateKey: hex(v.init_priv),
      hpkePrivateKey: hex(v.encryption_priv),
      signaturePrivateKey: hex(v.signature_priv),
    },
    makePskIndex(undefined, psks),
    cs,
    tree,
    undefined,
    config,
  );
  assert.equal(
    toHex(state.keySchedule.epochAuthenticator),
    v.initial_epoch_authenticator,
    "after the Welcome",
  );
  for (const [n, epoch] of v.epochs.entries()) {
    for (const proposal of epoch.proposals) {
      const m = message(proposal);
      assert.ok(m.wireformat === "mls_public_message" || m.wireformat === "mls_private_message");
      const result = await processMessage(m, state, makePskIndex(state, psks), acceptAll, cs);
      assert.equal(result.kind, "newState");
      state = (result as { newState: ClientState }).newState;
    }
    const commit = message(epoch.commit);
    assert.ok(commit.wireformat === "mls_public_message" || commit.wireformat === "mls_private_message");
    const result = await processMessage(commit, state, makePskIndex(state, psks), acceptAll, cs);
    assert.equal(result.kind, "newState");
    state = (result as { newState: ClientState }).newState;
    assert.equal(toHex(state.keySchedule.epochAuthenticator), epoch.epoch_authenticator, `epoch ${n + 1}`);
  }
}

for (const [name, file] of [
  ["passive-client-welcome", "passive-client-welcome.json"],
  ["passive-client-handling-commit", "passive-client-handling-commit.json"],
  ["passive-client-random", "passive-client-random.json"],
] as const) {
  const passive = family<PassiveClient>(name, file, follow);
  test(passive.title, passive.run);
}
