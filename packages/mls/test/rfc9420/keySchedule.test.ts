import assert from "node:assert/strict";
import { test } from "node:test";
import { ParleyMlsError } from "../../src/errors.js";
import { cipherSuite } from "../../src/rfc9420/crypto/index.js";
import {
  deriveEpochSecrets,
  type EpochSecrets,
  externalKeyPair,
  mlsExporter,
  secretsFromJoiner,
  welcomeKeyAndNonce,
} from "../../src/rfc9420/schedule/index.js";
import { family, hex, toHex } from "../vectors/files.js";

interface Epoch {
  commit_secret: string;
  psk_secret: string;
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
  initial_init_secret: string;
  epochs: Epoch[];
}

const NAMES: [keyof EpochSecrets, keyof Epoch][] = [
  ["joinerSecret", "joiner_secret"],
  ["welcomeSecret", "welcome_secret"],
  ["initSecret", "init_secret"],
  ["senderDataSecret", "sender_data_secret"],
  ["encryptionSecret", "encryption_secret"],
  ["exporterSecret", "exporter_secret"],
  ["epochAuthenticator", "epoch_authenticator"],
  ["externalSecret", "external_secret"],
  ["confirmationKey", "confirmation_key"],
  ["membershipKey", "membership_key"],
  ["resumptionPsk", "resumption_psk"],
];

const schedule = family<KeyScheduleVector>("key-schedule (rfc9420 engine)", "key-schedule.json", (v) => {
  const cs = cipherSuite(v.cipher_suite);
  let initSecret = hex(v.initial_init_secret);
  for (const [n, e] of v.epochs.entries()) {
    const input = {
      groupContext: hex(e.group_context),
      commitSecret: hex(e.commit_secret),
      pskSecret: hex(e.psk_secret),
    };
    const secrets = deriveEpochSecrets(cs, initSecret, input);
    for (const [ours, theirs] of NAMES)
      assert.equal(toHex(secrets[ours]), e[theirs], `epoch ${n}: ${theirs}`);
    // A joiner starting from the Welcome's joiner_secret reaches the same epoch.
    assert.deepEqual(secretsFromJoiner(cs, secrets.joinerSecret, input), secrets, `epoch ${n}: joiner`);
    assert.equal(toHex(externalKeyPair(cs, secrets.externalSecret).publicKey), e.external_pub, `epoch ${n}`);
    const x = e.exporter;
    const exported = mlsExporter(cs, secrets.exporterSecret, x.label, hex(x.context), x.length);
    assert.equal(toHex(exported), x.secret, `epoch ${n}: exporter`);
    initSecret = secrets.initSecret;
  }
});

test(schedule.title, schedule.run);

test("absent commit and PSK secrets are Nh zero bytes; the GroupContext binds every secret", () => {
  const cs = cipherSuite(1);
  const init = new Uint8Array(32).fill(1);
  const context = Uint8Array.of(0, 1, 2);
  const zeros = new Uint8Array(cs.Nh);
  const implicit = deriveEpochSecrets(cs, init, { groupContext: context });
  assert.deepEqual(
    implicit,
    deriveEpochSecrets(cs, init, { groupContext: context, commitSecret: zeros, pskSecret: zeros }),
  );
  const other = deriveEpochSecrets(cs, init, { groupContext: Uint8Array.of(0, 1, 3) });
  for (const [name] of NAMES) assert.notDeepEqual(other[name], implicit[name], name);

  const welcome = welcomeKeyAndNonce(cs, implicit.welcomeSecret);
  assert.equal(welcome.key.length, cs.Nk);
  assert.equal(welcome.nonce.length, cs.Nn);
  assert.deepEqual(welcome.key, cs.expandWithLabel(implicit.welcomeSecret, "key", new Uint8Array(0), cs.Nk));
  const e = implicit.exporterSecret;
  assert.notDeepEqual(
    mlsExporter(cs, e, "a", context, 32),
    mlsExporter(cs, e, "b", context, 32),
    "label binds",
  );
  assert.notDeepEqual(
    mlsExporter(cs, e, "a", context, 32),
    mlsExporter(cs, e, "a", zeros, 32),
    "context binds",
  );
  assert.throws(() => mlsExporter(cs, e, "a", context, 0x10000), ParleyMlsError);
});
