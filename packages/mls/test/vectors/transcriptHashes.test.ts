import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeAuthenticatedContent } from "ts-mls/authenticatedContent.js";
import { createConfirmedHash, createInterimHash } from "ts-mls/transcriptHash.js";
import { family, hex, suiteImpl, toHex } from "./files.js";

interface TranscriptHashes {
  cipher_suite: number;
  confirmation_key: string;
  authenticated_content: string;
  interim_transcript_hash_before: string;
  confirmed_transcript_hash_after: string;
  interim_transcript_hash_after: string;
}

const transcripts = family<TranscriptHashes>("transcript-hashes", "transcript-hashes.json", async (v) => {
  const cs = await suiteImpl(v.cipher_suite);
  const decoded = decodeAuthenticatedContent(hex(v.authenticated_content), 0);
  assert.ok(decoded, "authenticated content decodes");
  const { wireformat, content, auth } = decoded[0];
  assert.equal(content.contentType, "commit");
  assert.ok(auth.contentType === "commit");
  const confirmed = await createConfirmedHash(
    hex(v.interim_transcript_hash_before),
    { wireformat, content: content as never, signature: auth.signature },
    cs.hash,
  );
  assert.equal(toHex(confirmed), v.confirmed_transcript_hash_after, "confirmed transcript hash");
  const tag = await cs.hash.mac(hex(v.confirmation_key), confirmed);
  assert.equal(toHex(tag), toHex(auth.confirmationTag), "confirmation tag");
  const interim = await createInterimHash(confirmed, auth.confirmationTag, cs.hash);
  assert.equal(toHex(interim), v.interim_transcript_hash_after, "interim transcript hash");
});

test(transcripts.title, transcripts.run);
