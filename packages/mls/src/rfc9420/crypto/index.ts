export type { CipherSuite, HpkeCiphertext, HpkeKeyPair, SignatureKeyPair } from "./cipherSuite.js";
export { CIPHER_SUITE_IDS, cipherSuite } from "./suites.js";
export { XWING_KEM_ID } from "./xwing.js";
