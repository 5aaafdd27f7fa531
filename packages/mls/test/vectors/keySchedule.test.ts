import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeGroupContext, encodeGroupContext } from "ts-mls/groupContext.js";
import { initializeEpoch, mlsExporter } from "ts-mls/keySchedule.js";
import { family, hex, suiteImpl, toHex } from "./files.js";

interface Epoch {
  tree_hash: string;
  commit_secret: string;
  psk_secret: string;
  confirmed_transcript_hash: string;
  group_context: string;
  joiner_secret: string;
  welcome_secret: string;
  init_secret: string;
  sender_data_secret: string;
  encryption_secret: string;
  exporter_secret: string;
  epoch_authenticator: string;
  external_secret: string;
  confirmation_key: string;
  membership_key: string;
  resumption_psk: string;
  external_pub: string;
  exporter: { label: string; context: string; length: number; secret: string };
}

interface KeyScheduleVector {
  cipher_suite: number;
  group_id: string;
  initial_init_secret: string;
  epochs: Epoch[];
}

const schedule = family<KeyScheduleVector>("key-schedule", "key-schedule.json", async (v) => {
  const cs = await suiteImpl(v.cipher_suite);
  let initSecret = hex(v.initial_init_secret);
  for (const [n, e] of v.epochs.entries()) {
    const decoded = decodeGroupContext(hex(e.group_context), 0);
    assert.ok(decoded, `epoch ${n}: group context decodes`);
    const context = decoded[0];
    assert.equal(context.epoch, BigInt(n));
    assert.equal(toHex(context.groupId), v.group_id);
    assert.equal(toHex(context.treeHash), e.tree_hash);
    assert.equal(toHex(context.confirmedTranscriptHash), e.confirmed_transcript_hash);
    assert.equal(toHex(encodeGroupContext(context)), e.group_context);

    const secrets = await initializeEpoch(
      initSecret,
      hex(e.commit_secret),
      context,
      hex(e.psk_secret),
      cs.kdf,
    );
    const ks = secrets.keySchedule;
    const expect: [string, Uint8Array, string][] = [
      ["joiner_secret", secrets.joinerSecret, e.joiner_secret],
      ["welcome_secret", secrets.welcomeSecret, e.welcome_secret],
      ["encryption_secret", secrets.encryptionSecret, e.encryption_secret],
      ["init_secret", ks.initSecret, e.init_secret],
      ["sender_data_secret", ks.senderDataSecret, e.sender_data_secret],
      ["exporter_secret", ks.exporterSecret, e.exporter_secret],
      ["epoch_authenticator", ks.epochAuthenticator, e.epoch_authenticator],
      ["external_secret", ks.externalSecret, e.external_secret],
      ["confirmation_key", ks.confirmationKey, e.confirmation_key],
      ["membership_key", ks.membershipKey, e.membership_key],
      ["resumption_psk", ks.resumptionPsk, e.resumption_psk],
    ];
    for (const [name, actual, expected] of expect)
      assert.equal(toHex(actual), expected, `epoch ${n}: ${name}`);

    const external = await cs.hpke.deriveKeyPair(ks.externalSecret);
    assert.equal(
      toHex(await cs.hpke.exportPublicKey(external.publicKey)),
      e.external_pub,
      `epoch ${n}: external_pub`,
    );
    const x = e.exporter;
    const exported = await mlsExporter(ks.exporterSecret, x.label, hex(x.context), x.length, cs);
    assert.equal(toHex(exported), x.secret, `epoch ${n}: exporter`);
    initSecret = ks.initSecret;
  }
});

test(schedule.title, schedule.run);
