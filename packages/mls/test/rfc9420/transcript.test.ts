import assert from "node:assert/strict";
import { test } from "node:test";
import { ParleyMlsError } from "../../src/errors.js";
import { decodeAll } from "../../src/rfc9420/codec/index.js";
import { cipherSuite } from "../../src/rfc9420/crypto/index.js";
import {
  confirmationTag,
  confirmedTranscriptHash,
  interimTranscriptHash,
  verifyConfirmationTag,
} from "../../src/rfc9420/framing/transcript.js";
import { decodeAuthenticatedContent } from "../../src/rfc9420/wire/index.js";
import { family, hex, toHex } from "../vectors/files.js";

interface TranscriptHashes {
  cipher_suite: number;
  confirmation_key: string;
  authenticated_content: string;
  interim_transcript_hash_before: string;
  confirmed_transcript_hash_after: string;
  interim_transcript_hash_after: string;
}

const invalid = (err: unknown) => err instanceof ParleyMlsError && err.code === "invalid";

const vectors = family<TranscriptHashes>("transcript-hashes (framing)", "transcript-hashes.json", (v) => {
  const suite = cipherSuite(v.cipher_suite);
  const commit = decodeAll(hex(v.authenticated_content), decodeAuthenticatedContent, "AuthenticatedContent");
  const confirmed = confirmedTranscriptHash(suite, hex(v.interim_transcript_hash_before), commit);
  assert.equal(toHex(confirmed), v.confirmed_transcript_hash_after, "confirmed transcript hash");
  const key = hex(v.confirmation_key);
  const tag = commit.auth.confirmationTag;
  assert.ok(tag, "the commit carries a confirmation tag");
  assert.equal(toHex(confirmationTag(suite, key, confirmed)), toHex(tag), "confirmation tag");
  verifyConfirmationTag(suite, key, confirmed, tag);
  assert.equal(
    toHex(interimTranscriptHash(suite, confirmed, tag)),
    v.interim_transcript_hash_after,
    "interim transcript hash",
  );
  // Any change to the tag, the key or the hash it covers is refused.
  const flipped = tag.slice();
  flipped[0] = (flipped[0] ?? 0) ^ 1;
  assert.throws(() => verifyConfirmationTag(suite, key, confirmed, flipped), invalid);
  assert.throws(() => verifyConfirmationTag(suite, key, confirmed, undefined), invalid);
  assert.throws(() => verifyConfirmationTag(suite, key, hex(v.interim_transcript_hash_before), tag), invalid);
  assert.throws(() => verifyConfirmationTag(suite, key.subarray(1), confirmed, tag), invalid);
});

test(vectors.title, vectors.run);
