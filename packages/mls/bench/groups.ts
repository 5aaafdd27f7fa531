import {
  createKeyPackage,
  generateSignatureKeyPair,
  type KeyPackageBundle,
  MlsGroup,
  type MlsSuite,
} from "../src/index.js";

let serial = 0;

/** A fresh member's key package (its own signature key, as a real device would have). */
export async function freshKeyPackage(suite: MlsSuite): Promise<KeyPackageBundle> {
  const signatureKeyPair = await generateSignatureKeyPair(suite);
  return createKeyPackage(suite, {
    identity: new TextEncoder().encode(`member-${serial++}`),
    signatureKeyPair,
  });
}

/** A group of `size` members: the creator added everyone in one commit; `receiver` (leaf 1) joined by Welcome. */
export async function buildGroup(
  suite: MlsSuite,
  size: number,
): Promise<{ creator: MlsGroup; receiver: MlsGroup }> {
  const creatorKp = await freshKeyPackage(suite);
  const others: KeyPackageBundle[] = [];
  for (let i = 1; i < size; i++) others.push(await freshKeyPackage(suite));
  const staged = await (await MlsGroup.create(suite, creatorKp)).commit({
    add: others.map((kp) => kp.message),
  });
  const receiver = await MlsGroup.joinFromWelcome(
    suite,
    staged.welcome as Uint8Array,
    others[0] as KeyPackageBundle,
  );
  return { creator: staged.group, receiver };
}
