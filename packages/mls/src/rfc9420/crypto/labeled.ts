import type { Hpke } from "ts-mls/crypto/hpke.js";
import type { Signature } from "ts-mls/crypto/signature.js";
import { ParleyMlsError } from "../../errors.js";
import type { CipherSuite } from "./cipherSuite.js";
import { concat, mlsLabel, opaque, uint16, uint32, utf8 } from "./encode.js";
import type { Primitives } from "./primitives.js";

type Labeled = Pick<
  CipherSuite,
  | "expandWithLabel"
  | "deriveSecret"
  | "deriveTreeSecret"
  | "refHash"
  | "signWithLabel"
  | "verifyWithLabel"
  | "encryptWithLabel"
  | "decryptWithLabel"
>;

const EMPTY = new Uint8Array(0);

/** RFC 9420 §5.1.2, §5.1.3 and §5.2: the operations that bind a label and context into what they process. */
export function labeledOperations(base: Primitives, hpke: Hpke, signature: Signature): Labeled {
  const nh = base.hash(EMPTY).length;
  const expandWithLabel: Labeled["expandWithLabel"] = (secret, label, context, length) => {
    if (!Number.isInteger(length) || length < 0 || length > 0xffff)
      throw new ParleyMlsError("usage", `ExpandWithLabel length ${length} out of range`);
    return base.expand(secret, concat(uint16(length), mlsLabel(label), opaque(context)), length);
  };
  const signContent = (label: string, content: Uint8Array) => concat(mlsLabel(label), opaque(content));
  const encryptContext = (label: string, context: Uint8Array) => concat(mlsLabel(label), opaque(context));
  return {
    expandWithLabel,
    deriveSecret: (secret, label) => expandWithLabel(secret, label, EMPTY, nh),
    deriveTreeSecret(secret, label, generation, length) {
      if (!Number.isInteger(generation) || generation < 0 || generation > 0xffffffff)
        throw new ParleyMlsError("usage", `generation ${generation} is not a uint32`);
      return expandWithLabel(secret, label, uint32(generation), length);
    },
    // RefHash's label is used as given, without the "MLS 1.0 " prefix.
    refHash: (label, value) => base.hash(concat(opaque(utf8(label)), opaque(value))),
    async signWithLabel(signKey, label, content) {
      try {
        return await signature.sign(signKey, signContent(label, content));
      } catch {
        throw new ParleyMlsError("invalid", "SignWithLabel failed: unusable signature key");
      }
    },
    verifyWithLabel: (publicKey, label, content, sig) =>
      signature.verify(publicKey, signContent(label, content), sig),
    async encryptWithLabel(publicKey, label, context, plaintext) {
      const pk = await hpkeStep("EncryptWithLabel", () => hpke.importPublicKey(publicKey));
      const { ct, enc } = await hpkeStep("EncryptWithLabel", () =>
        hpke.seal(pk, plaintext, encryptContext(label, context), EMPTY),
      );
      return { kemOutput: enc, ciphertext: ct };
    },
    async decryptWithLabel(privateKey, label, context, { kemOutput, ciphertext }) {
      const sk = await hpkeStep("DecryptWithLabel", () => hpke.importPrivateKey(privateKey));
      return hpkeStep("DecryptWithLabel", () =>
        hpke.open(sk, kemOutput, ciphertext, encryptContext(label, context), EMPTY),
      );
    },
  };
}

/** Runs one HPKE step, turning any failure into a typed error that says which operation failed. */
async function hpkeStep<T>(what: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch {
    throw new ParleyMlsError("invalid", `${what} failed`);
  }
}
