import { basename, dirname, resolve } from "node:path";
import { FileKeyStore, type KeyStore } from "@parley/dave";
import { generateSignatureKeyPair, loadSuite } from "@parley/mls";
import { CliError } from "./errors.js";

/** The id the key is kept under; with one file per identity it only has to be the same on every run. */
export const IDENTITY_ID = "parley-voice-client";

/** DAVE's MLS ciphersuite (DHKEMP256, AES-128-GCM, P-256): the one its signature keys are for. */
const DAVE_CIPHERSUITE = 2;

/**
 * `--identity FILE`: this member's DAVE signature key, kept in FILE (JSON, mode 0600) so that the verification
 * codes the others see for it stay the same from call to call. A missing file is created now, so that a path
 * that cannot be written is reported before joining rather than in the middle of the call.
 */
export async function openIdentity(file: string): Promise<KeyStore> {
  const path = resolve(file);
  const store = new FileKeyStore(dirname(path), () => basename(path));
  try {
    if (await store.load(IDENTITY_ID)) return store;
    await store.save(IDENTITY_ID, await generateSignatureKeyPair(await loadSuite(DAVE_CIPHERSUITE)));
    return store;
  } catch (err) {
    const unreadable = err instanceof SyntaxError || /not a DAVE key pair/.test((err as Error).message);
    const why = unreadable ? "not a voice identity file" : (err as Error).message;
    throw new CliError(`--identity ${file}: ${why}`, 1, { cause: err });
  }
}
