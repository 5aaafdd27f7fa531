/**
 * Writes test/golden/<release>/: a FileKeyStore directory as one release wrote it, and the keys and pairwise
 * fingerprint it must keep giving (test/golden/goldenKeys.test.ts). Run it only on the release the directory is
 * named after:
 *
 *   npm run build && node packages/dave/dist/test/golden/makeGoldenKeys.js packages/dave/test/golden/v0.1.0
 */
import { writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { FileKeyStore, pairwiseFingerprint, Session } from "../../src/index.js";
import { type GoldenKeys, SESSIONS } from "./goldenKeys.js";

const out = process.argv[2];
if (!out) {
  process.stderr.write("usage: makeGoldenKeys.js OUTDIR\n");
  process.exit(2);
}
const dir = resolve(out);
const keyStore = new FileKeyStore(join(dir, "keys"));
const publicKeys: string[] = [];
for (const { authSessionId, userId } of SESSIONS) {
  const session = new Session({ authSessionId, keyStore });
  await session.init(1, userId, "42");
  publicKeys.push(Buffer.from(session.signaturePublicKey).toString("hex"));
}
const [a, b] = SESSIONS;
const fingerprint = await pairwiseFingerprint(
  0,
  Buffer.from(publicKeys[0] as string, "hex"),
  a.userId,
  Buffer.from(publicKeys[1] as string, "hex"),
  b.userId,
);
const golden: GoldenKeys = {
  release: "0.1.0",
  publicKeys,
  pairwiseFingerprint: Buffer.from(fingerprint).toString("hex"),
};
await writeFile(join(dir, "meta.json"), `${JSON.stringify(golden, null, 2)}\n`);
process.stdout.write(`golden DAVE keys written to ${dir}\n`);
