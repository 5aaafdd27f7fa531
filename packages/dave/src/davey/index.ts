/** `@parley/dave/davey`: @snazzah/davey 0.1.12's API, for `"@snazzah/davey": "npm:@parley/dave@…"` aliases. */
import { DAVESession } from "./davey.js";
import {
  Codec,
  DAVE_PROTOCOL_VERSION,
  DEBUG_BUILD,
  MediaType,
  ProposalsOperationType,
  SessionStatus,
  VERSION,
} from "./enums.js";
import {
  generateDisplayableCode,
  generateKeyFingerprint,
  generateP256Keypair,
  generatePairwiseFingerprint,
} from "./functions.js";

export type { DaveSession, DaveSessionOptions } from "./davey.js";
export type { DecryptionStats, EncryptionStats, ProposalsResult, SigningKeyPair } from "./types.js";
export {
  Codec,
  DAVE_PROTOCOL_VERSION,
  DAVESession,
  DEBUG_BUILD,
  generateDisplayableCode,
  generateKeyFingerprint,
  generateP256Keypair,
  generatePairwiseFingerprint,
  MediaType,
  ProposalsOperationType,
  SessionStatus,
  VERSION,
};

/** What `import davey from "@snazzah/davey"` gives: Node's default import of davey's CommonJS exports. */
export default Object.freeze({
  Codec,
  DAVE_PROTOCOL_VERSION,
  DAVESession,
  DEBUG_BUILD,
  generateDisplayableCode,
  generateKeyFingerprint,
  generateP256Keypair,
  generatePairwiseFingerprint,
  MediaType,
  ProposalsOperationType,
  SessionStatus,
  VERSION,
});
