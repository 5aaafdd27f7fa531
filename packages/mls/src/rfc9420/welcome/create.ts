import type { CipherSuite } from "../crypto/index.js";
import type { GroupInfo, KeyPackage, PreSharedKeyId, Welcome } from "../wire/index.js";
import { sealGroupInfo } from "./groupInfo.js";
import { sealGroupSecrets } from "./groupSecrets.js";
import { keyPackageRef } from "./keyPackageRef.js";

/** One new member of a Welcome and, when the commit had a path, the path secret of its common ancestor. */
export interface WelcomeMember {
  readonly keyPackage: KeyPackage;
  readonly pathSecret?: Uint8Array;
}

export interface WelcomeInput {
  /** The new epoch's signed GroupInfo. */
  readonly groupInfo: GroupInfo;
  readonly joinerSecret: Uint8Array;
  readonly welcomeSecret: Uint8Array;
  readonly psks: readonly PreSharedKeyId[];
  readonly members: readonly WelcomeMember[];
}

/** §12.4.3.1, the committer's side: seal the GroupInfo once and the GroupSecrets to each new member. */
export async function createWelcome(suite: CipherSuite, input: WelcomeInput): Promise<Welcome> {
  const encryptedGroupInfo = sealGroupInfo(suite, input.welcomeSecret, input.groupInfo);
  const secrets = await Promise.all(
    input.members.map(async ({ keyPackage, pathSecret }) => ({
      newMember: keyPackageRef(suite, keyPackage),
      encryptedGroupSecrets: await sealGroupSecrets(suite, keyPackage.initKey, encryptedGroupInfo, {
        joinerSecret: input.joinerSecret,
        psks: input.psks,
        ...(pathSecret ? { pathSecret } : {}),
      }),
    })),
  );
  return { cipherSuite: suite.id, secrets, encryptedGroupInfo };
}
