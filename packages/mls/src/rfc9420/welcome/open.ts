import { ParleyMlsError } from "../../errors.js";
import { encodeWith } from "../codec/index.js";
import { type CipherSuite, cipherSuite } from "../crypto/index.js";
import { type EpochSecrets, secretsFromJoiner } from "../schedule/index.js";
import {
  encodeGroupContext,
  type GroupInfo,
  type GroupSecrets,
  type KeyPackage,
  type PreSharedKeyId,
  type Welcome,
} from "../wire/index.js";
import { openGroupInfo, verifyConfirmationTag } from "./groupInfo.js";
import { openGroupSecrets } from "./groupSecrets.js";
import { keyPackageRef } from "./keyPackageRef.js";

/** What a joiner holds to open a Welcome. */
export interface WelcomeKeys {
  readonly keyPackage: KeyPackage;
  readonly initPrivateKey: Uint8Array;
  /** Resolves the Welcome's PSKs into the psk_secret (§8.4); without it a Welcome with PSKs is refused. */
  readonly pskSecret?: (psks: readonly PreSharedKeyId[]) => Uint8Array;
}

/** A decrypted Welcome whose confirmation tag matched the derived epoch secrets. */
export interface OpenedWelcome {
  readonly suite: CipherSuite;
  readonly groupInfo: GroupInfo;
  readonly groupSecrets: GroupSecrets;
  readonly epochSecrets: EpochSecrets;
}

function suiteOf(welcome: Welcome, keyPackage: KeyPackage): CipherSuite {
  if (welcome.cipherSuite !== keyPackage.cipherSuite)
    throw new ParleyMlsError(
      "invalid",
      `Welcome cipher suite ${welcome.cipherSuite} differs from the key package's ${keyPackage.cipherSuite}`,
    );
  return cipherSuite(welcome.cipherSuite);
}

function pskSecretOf(suite: CipherSuite, secrets: GroupSecrets, keys: WelcomeKeys): Uint8Array | undefined {
  if (secrets.psks.length === 0) return undefined;
  if (!keys.pskSecret)
    throw new ParleyMlsError("unsupported", "Welcome uses PSKs and no PSK resolver was given");
  const secret = keys.pskSecret(secrets.psks);
  if (secret.length !== suite.Nh) throw new ParleyMlsError("usage", "psk_secret must be Nh bytes");
  return secret;
}

/**
 * §12.4.3.1 steps 1-3 and the confirmation tag: decrypt our GroupSecrets and the GroupInfo, derive the epoch
 * secrets and check the GroupInfo's confirmation tag. The tree and the GroupInfo signature are `joinGroup`'s.
 */
export async function openWelcome(welcome: Welcome, keys: WelcomeKeys): Promise<OpenedWelcome> {
  const suite = suiteOf(welcome, keys.keyPackage);
  const ref = keyPackageRef(suite, keys.keyPackage);
  const groupSecrets = await openGroupSecrets(suite, welcome, ref, keys.initPrivateKey);
  const pskSecret = pskSecretOf(suite, groupSecrets, keys);
  const member = suite.extract(groupSecrets.joinerSecret, pskSecret ?? new Uint8Array(suite.Nh));
  const groupInfo = openGroupInfo(suite, suite.deriveSecret(member, "welcome"), welcome.encryptedGroupInfo);
  const context = groupInfo.groupContext;
  if (context.cipherSuite !== welcome.cipherSuite || context.version !== keys.keyPackage.version)
    throw new ParleyMlsError("invalid", "GroupInfo version or cipher suite differs from the Welcome's");
  const groupContext = encodeWith(context, encodeGroupContext);
  const epochSecrets = secretsFromJoiner(suite, groupSecrets.joinerSecret, {
    groupContext,
    ...(pskSecret ? { pskSecret } : {}),
  });
  verifyConfirmationTag(suite, epochSecrets.confirmationKey, groupInfo);
  return { suite, groupInfo, groupSecrets, epochSecrets };
}
