import assert from "node:assert/strict";
import { createPublicKey, verify } from "node:crypto";
import { test } from "node:test";
import { CodecError, decodeAll, encodeWith, Reader, type Writer } from "../../src/rfc9420/codec/index.js";
import * as wire from "../../src/rfc9420/wire/index.js";
import { hex, mlsVectors, toHex } from "../vectors/files.js";

const cases = mlsVectors<Record<string, string>[]>("messages.json");
const message = (field: string, i: number) => decodeAll(hex(cases[i]![field]!), wire.decodeMlsMessage, field);

/** RFC 9420 §5.1.2 SignWithLabel's content, verified with Ed25519 (suite 1). */
function verifiesWithLabel(label: string, tbs: Uint8Array, publicKey: Uint8Array, signature: Uint8Array) {
  const content = encodeWith(tbs, (w, t) => {
    w.opaque(new TextEncoder().encode(`MLS 1.0 ${label}`));
    w.opaque(t);
  });
  const jwk = { kty: "OKP", crv: "Ed25519", x: Buffer.from(publicKey).toString("base64url") };
  return verify(null, content, createPublicKey({ key: jwk, format: "jwk" }), signature);
}

test("KeyPackageTBS and LeafNodeTBS re-encode what the vectors' suite-1 signatures cover", () => {
  let checked = 0;
  for (const i of cases.keys()) {
    const m = message("mls_key_package", i);
    assert.equal(m.wireFormat, wire.WireFormat.keyPackage);
    const kp = m.keyPackage;
    if (kp.cipherSuite !== 1) continue;
    const key = kp.leafNode.signatureKey;
    assert.ok(
      verifiesWithLabel("KeyPackageTBS", encodeWith(kp, wire.encodeKeyPackageTbs), key, kp.signature),
    );
    const leafTbs = encodeWith(kp.leafNode, (w, l) => wire.encodeLeafNodeTbs(w, l));
    assert.ok(verifiesWithLabel("LeafNodeTBS", leafTbs, key, kp.leafNode.signature));
    checked++;
  }
  assert.equal(checked, 100);
});

test("typed extensions of every group info decode, and re-encode to the same extension_data", () => {
  const codecs = [wire.ratchetTreeExtension, wire.requiredCapabilitiesExtension, wire.externalPubExtension];
  for (const i of cases.keys()) {
    const m = message("mls_group_info", i);
    assert.equal(m.wireFormat, wire.WireFormat.groupInfo);
    const all = [...m.groupInfo.extensions, ...m.groupInfo.groupContext.extensions];
    for (const codec of codecs) {
      const value = wire.findExtension(all, codec as wire.ExtensionCodec<unknown>);
      assert.ok(value !== undefined, `extension ${codec.extensionType} in case ${i}`);
      const original = all.find((e) => e.extensionType === codec.extensionType)!;
      const again = wire.makeExtension(codec as wire.ExtensionCodec<unknown>, value);
      assert.equal(toHex(again.extensionData), toHex(original.extensionData));
    }
    const tree = wire.findExtension(all, wire.ratchetTreeExtension)!;
    assert.equal(tree.length % 2, 1, "a tree has an odd node count");
    tree.forEach((node, n) => {
      if (node) assert.equal(node.nodeType, n % 2 === 0 ? wire.NodeType.leaf : wire.NodeType.parent);
    });
  }
  assert.equal(wire.findExtension([], wire.applicationIdExtension), undefined);
});

const sender = (name: string): wire.ExternalSender => ({
  signatureKey: new Uint8Array(32).fill(name.length),
  credential: { credentialType: wire.CredentialType.basic, identity: new TextEncoder().encode(name) },
});

test("external_senders is a vector of ExternalSender (§12.1.8.1), not one bare sender", () => {
  const senders = [sender("gateway"), sender("bot")];
  const ext = wire.makeExtension(wire.externalSendersExtension, senders);
  assert.equal(ext.extensionType, 5);
  assert.deepEqual(wire.findExtension([ext], wire.externalSendersExtension), senders);
  // The data starts with the vector's length; one sender's bytes alone (ts-mls's reading) do not decode.
  const bare = encodeWith(senders[0]!, (w: Writer, s) => {
    w.opaque(s.signatureKey);
    w.uint16(1);
    w.opaque((s.credential as { identity: Uint8Array }).identity);
  });
  assert.equal(new Reader(ext.extensionData).varint("length"), ext.extensionData.length - 2);
  assert.throws(
    () => wire.findExtension([{ extensionType: 5, extensionData: bare }], wire.externalSendersExtension),
    CodecError,
  );
});

test("unknown and GREASE values: kept in lists, refused as 'unsupported' where nothing can be skipped", () => {
  assert.deepEqual([0x0a0a, 0x1a1a, 0xeaea, 0xfafa, 0x0a0b, 0x1a2a, 7].map(wire.isGrease), [
    true,
    true,
    true,
    false,
    false,
    false,
    false,
  ]);
  const caps: wire.Capabilities = {
    versions: [1, 0x2a2a],
    cipherSuites: [1, 0x3a3a],
    extensions: [0xbaba, 0xff00],
    proposals: [0x4a4a, 0x1234],
    credentials: [1, 0x5a5a],
  };
  const bytes = encodeWith(caps, wire.encodeCapabilities);
  assert.deepEqual(decodeAll(bytes, wire.decodeCapabilities, "caps"), caps);
  const unknownExt = { extensionType: 0xdada, extensionData: new Uint8Array([1, 2, 3]) };
  const extBytes = encodeWith([unknownExt], wire.encodeExtensions);
  assert.deepEqual(
    decodeAll(extBytes, (r) => wire.decodeExtensions(r, "e"), "e"),
    [unknownExt],
  );
  const unsupported = (field: string) => (err: unknown) =>
    err instanceof CodecError && err.code === "unsupported" && err.field === field;
  assert.throws(
    () => decodeAll(hex("0a0a00"), wire.decodeProposal, "p"),
    unsupported("Proposal.proposal_type"),
  );
  assert.throws(
    () => decodeAll(hex("0003000100"), wire.decodeCredential, "c"),
    unsupported("Credential.credential_type"),
  );
  assert.throws(
    () => decodeAll(hex("00010006"), wire.decodeMlsMessage, "m"),
    unsupported("MLSMessage.wire_format"),
  );
  assert.throws(
    () => decodeAll(hex("00020001"), wire.decodeMlsMessage, "m"),
    unsupported("MLSMessage.version"),
  );
});

test("sender-dependent fields: membership tag for members only, confirmation tag for commits only", () => {
  for (const i of cases.keys()) {
    for (const field of ["public_message_application", "public_message_proposal", "public_message_commit"]) {
      const m = message(field, i);
      assert.equal(m.wireFormat, wire.WireFormat.publicMessage);
      const { content, auth, membershipTag } = m.publicMessage;
      assert.equal(membershipTag !== undefined, content.sender.senderType === wire.SenderType.member, field);
      assert.equal(
        auth.confirmationTag !== undefined,
        content.contentType === wire.ContentType.commit,
        field,
      );
    }
  }
  const content: wire.FramedContent = {
    groupId: new Uint8Array([1]),
    epoch: 3n,
    sender: { senderType: wire.SenderType.member, leafIndex: 2 },
    authenticatedData: new Uint8Array(0),
    contentType: wire.ContentType.commit,
    commit: { proposals: [] },
  };
  assert.throws(
    () => encodeWith({ content, auth: { signature: new Uint8Array(1) } }, wire.encodePublicMessage),
    (err) => err instanceof CodecError && err.field === "FramedContentAuthData.confirmation_tag",
  );
  assert.throws(
    () => encodeWith(content, (w, c) => wire.encodeFramedContentTbs(w, wire.WireFormat.publicMessage, c)),
    (err) => err instanceof CodecError && err.field === "FramedContentTBS.context",
  );
});

test("PrivateMessageContent: zero padding only, SenderData's reuse guard is 4 bytes", () => {
  const plain: wire.PrivateMessageContent = {
    contentType: wire.ContentType.application,
    applicationData: new TextEncoder().encode("hi"),
    auth: { signature: new Uint8Array([9, 9]) },
    padding: 5,
  };
  const bytes = encodeWith(plain, wire.encodePrivateMessageContent);
  assert.equal(bytes.length, 3 + 3 + 5);
  const read = (b: Uint8Array) =>
    decodeAll(b, (r) => wire.decodePrivateMessageContent(r, wire.ContentType.application), "content");
  assert.deepEqual(read(bytes), plain);
  const dirty = bytes.slice();
  dirty[dirty.length - 1] = 1;
  assert.throws(
    () => read(dirty),
    (err) => err instanceof CodecError && err.field === "PrivateMessageContent.padding",
  );
  const data: wire.SenderData = { leafIndex: 4, generation: 7, reuseGuard: new Uint8Array([1, 2, 3, 4]) };
  const sd = encodeWith(data, wire.encodeSenderData);
  assert.equal(toHex(sd), "000000040000000701020304");
  assert.deepEqual(decodeAll(sd, wire.decodeSenderData, "sd"), data);
});
