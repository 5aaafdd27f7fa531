import assert from "node:assert/strict";
import { createHash, createHmac, createPublicKey, verify } from "node:crypto";
import { test } from "node:test";
import { decodeAll, encodeWith, type Reader, type Writer } from "../../src/rfc9420/codec/index.js";
import * as wire from "../../src/rfc9420/wire/index.js";
import { family, hex, toHex } from "../vectors/files.js";

/** Decode `bytes` whole as a structure and require the identical bytes back. */
function roundTrip<T>(
  field: string,
  bytes: string,
  decode: (r: Reader) => T,
  encode: (w: Writer, v: T) => void,
): T {
  const value = decodeAll(hex(bytes), decode, field);
  assert.equal(toHex(encodeWith(value, encode)), bytes, `${field} re-encodes byte for byte`);
  return value;
}

const message = (field: string, bytes: string) =>
  roundTrip(field, bytes, wire.decodeMlsMessage, wire.encodeMlsMessage);
const tree = (field: string, bytes: string) =>
  roundTrip(field, bytes, wire.decodeRatchetTree, wire.encodeRatchetTree);

const HASH: Record<number, string> = {
  1: "sha256",
  2: "sha256",
  3: "sha256",
  4: "sha512",
  5: "sha512",
  6: "sha512",
  7: "sha384",
};
const hashOf = (suite: number, ...parts: Uint8Array[]) => {
  const h = createHash(HASH[suite]!);
  for (const p of parts) h.update(p);
  return h.digest("hex");
};

interface Passive {
  key_package: string;
  welcome: string;
  ratchet_tree: string | null;
  epochs: { proposals: string[]; commit: string }[];
}

const families = [
  family<{ key_package: string; welcome: string }>("welcome", "welcome.json", (v) => {
    assert.equal(message("key_package", v.key_package).wireFormat, wire.WireFormat.keyPackage);
    assert.equal(message("welcome", v.welcome).wireFormat, wire.WireFormat.welcome);
  }),
  family<{ proposal: string; tree_before: string; tree_after: string }>(
    "tree-operations",
    "tree-operations.json",
    (v) => {
      roundTrip("proposal", v.proposal, wire.decodeProposal, wire.encodeProposal);
      tree("tree_before", v.tree_before);
      tree("tree_after", v.tree_after);
    },
  ),
  family<{ ratchet_tree: string; update_paths: { update_path: string }[] }>(
    "treekem",
    "treekem.json",
    (v) => {
      tree("ratchet_tree", v.ratchet_tree);
      for (const p of v.update_paths)
        roundTrip("update_path", p.update_path, wire.decodeUpdatePath, wire.encodeUpdatePath);
    },
  ),
  family<{ tree: string }>("tree-validation", "tree-validation.json", (v) => {
    tree("tree", v.tree);
  }),
  ...["passive-client-welcome", "passive-client-handling-commit", "passive-client-random"].map((name) =>
    family<Passive>(name, `${name}.json`, (v) => {
      message("key_package", v.key_package);
      message("welcome", v.welcome);
      if (v.ratchet_tree) tree("ratchet_tree", v.ratchet_tree);
      for (const epoch of v.epochs) {
        for (const p of epoch.proposals) message("proposal", p);
        message("commit", epoch.commit);
      }
    }),
  ),
];

for (const f of families) test(`wire round trip, ${f.title}`, f.run);

interface TranscriptHashes {
  cipher_suite: number;
  confirmation_key: string;
  authenticated_content: string;
  interim_transcript_hash_before: string;
  confirmed_transcript_hash_after: string;
  interim_transcript_hash_after: string;
}

// §8.2: the transcript hashes are over our encodings of ConfirmedTranscriptHashInput and InterimTranscriptHashInput.
const transcripts = family<TranscriptHashes>("transcript-hashes", "transcript-hashes.json", (v) => {
  const content = roundTrip(
    "authenticated_content",
    v.authenticated_content,
    wire.decodeAuthenticatedContent,
    wire.encodeAuthenticatedContent,
  );
  const confirmedInput = encodeWith(content, wire.encodeConfirmedTranscriptHashInput);
  const confirmed = hashOf(v.cipher_suite, hex(v.interim_transcript_hash_before), confirmedInput);
  assert.equal(confirmed, v.confirmed_transcript_hash_after);
  const tag = content.auth.confirmationTag!;
  const mac = createHmac(HASH[v.cipher_suite]!, hex(v.confirmation_key)).update(hex(confirmed)).digest("hex");
  assert.equal(toHex(tag), mac, "the confirmation tag is the MAC of the confirmed transcript hash");
  const interimInput = encodeWith(tag, wire.encodeInterimTranscriptHashInput);
  assert.equal(hashOf(v.cipher_suite, hex(confirmed), interimInput), v.interim_transcript_hash_after);
});

test(transcripts.title, transcripts.run);

interface MessageProtection {
  cipher_suite: number;
  group_id: string;
  epoch: number;
  tree_hash: string;
  confirmed_transcript_hash: string;
  signature_pub: string;
  membership_key: string;
  proposal: string;
  commit: string;
  proposal_pub: string;
  commit_pub: string;
  proposal_priv: string;
  commit_priv: string;
  application_priv: string;
}

/** §6.1 and §6.2: our FramedContentTBS carries the signature (Ed25519 suites), our TBM the membership tag. */
function checkPublic(v: MessageProtection, pub: wire.PublicMessage) {
  const context = encodeWith(
    {
      version: 1,
      cipherSuite: v.cipher_suite,
      groupId: hex(v.group_id),
      epoch: BigInt(v.epoch),
      treeHash: hex(v.tree_hash),
      confirmedTranscriptHash: hex(v.confirmed_transcript_hash),
      extensions: [],
    },
    wire.encodeGroupContext,
  );
  const tbs = encodeWith(pub.content, (w, c) =>
    wire.encodeFramedContentTbs(w, wire.WireFormat.publicMessage, c, context),
  );
  const tbm = encodeWith(pub, (w, m) =>
    wire.encodeAuthenticatedContentTbm(w, tbs, m.auth, m.content.contentType),
  );
  const tag = createHmac(HASH[v.cipher_suite]!, hex(v.membership_key)).update(tbm).digest("hex");
  assert.equal(toHex(pub.membershipTag!), tag, "membership tag");
  if (v.cipher_suite !== 1 && v.cipher_suite !== 3) return;
  const signed = encodeWith(tbs, (w, t) => {
    w.opaque(new TextEncoder().encode("MLS 1.0 FramedContentTBS"));
    w.opaque(t);
  });
  const jwk = { kty: "OKP", crv: "Ed25519", x: Buffer.from(hex(v.signature_pub)).toString("base64url") };
  assert.ok(
    verify(null, signed, createPublicKey({ key: jwk, format: "jwk" }), pub.auth.signature),
    "signature",
  );
}

const protection = family<MessageProtection>("message-protection", "message-protection.json", (v) => {
  roundTrip("proposal", v.proposal, wire.decodeProposal, wire.encodeProposal);
  roundTrip("commit", v.commit, wire.decodeCommit, wire.encodeCommit);
  for (const [field, inner, encodeInner] of [
    [
      "proposal_pub",
      v.proposal,
      (c: wire.FramedContent) => c.contentType === 2 && encodeWith(c.proposal, wire.encodeProposal),
    ],
    [
      "commit_pub",
      v.commit,
      (c: wire.FramedContent) => c.contentType === 3 && encodeWith(c.commit, wire.encodeCommit),
    ],
  ] as const) {
    const m = message(field, v[field]);
    assert.equal(m.wireFormat, wire.WireFormat.publicMessage);
    const body = encodeInner(m.publicMessage.content);
    assert.ok(body, `${field} carries its content type`);
    assert.equal(toHex(body), inner, `${field} carries the vector's ${field.slice(0, -4)}`);
    checkPublic(v, m.publicMessage);
  }
  for (const field of ["proposal_priv", "commit_priv", "application_priv"] as const) {
    assert.equal(message(field, v[field]).wireFormat, wire.WireFormat.privateMessage);
  }
});

test(protection.title, protection.run);
