import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeMlsMessage } from "ts-mls";
import { verifyGroupInfoConfirmationTag, verifyGroupInfoSignature } from "ts-mls/groupInfo.js";
import { makeKeyPackageRef } from "ts-mls/keyPackage.js";
import { decryptGroupInfo, decryptGroupSecrets } from "ts-mls/welcome.js";
import { family, hex, suiteImpl } from "./files.js";

interface WelcomeVector {
  cipher_suite: number;
  init_priv: string;
  signer_pub: string;
  key_package: string;
  welcome: string;
}

// A new member opens its Welcome: group secrets by HPKE with its init key, then the GroupInfo, whose
// signature and confirmation tag must verify.
const welcome = family<WelcomeVector>("welcome", "welcome.json", async (v) => {
  const cs = await suiteImpl(v.cipher_suite);
  const kp = decodeMlsMessage(hex(v.key_package), 0)?.[0];
  const w = decodeMlsMessage(hex(v.welcome), 0)?.[0];
  assert.ok(kp?.wireformat === "mls_key_package" && w?.wireformat === "mls_welcome");
  const ref = await makeKeyPackageRef(kp.keyPackage, cs.hash);
  const initKey = await cs.hpke.importPrivateKey(hex(v.init_priv));
  const secrets = await decryptGroupSecrets(initKey, ref, w.welcome, cs.hpke);
  assert.ok(secrets, "group secrets decrypt");
  assert.deepEqual(secrets.psks, []);
  const noPsk = new Uint8Array(cs.kdf.size);
  const groupInfo = await decryptGroupInfo(w.welcome, secrets.joinerSecret, noPsk, cs);
  assert.ok(groupInfo, "group info decrypts");
  assert.ok(
    await verifyGroupInfoSignature(groupInfo, hex(v.signer_pub), cs.signature),
    "GroupInfo signature",
  );
  assert.ok(
    await verifyGroupInfoConfirmationTag(groupInfo, secrets.joinerSecret, noPsk, cs),
    "confirmation tag",
  );
});

test(welcome.title, welcome.run);
