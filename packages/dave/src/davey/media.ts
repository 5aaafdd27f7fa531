import type { Codec as CodecName, MediaType as MediaKind } from "../media/codecs.js";
import { Decryptor } from "../media/decryptor.js";
import { Encryptor } from "../media/encryptor.js";
import { KeyRatchet } from "../media/keyRatchet.js";
import { Codec, MediaType, memberName } from "./enums.js";
import { daveyError } from "./errors.js";
import type { SenderKey } from "./protocol.js";
import { asBuffer, type DecryptionStats, type EncryptionStats } from "./types.js";

const CODECS: Record<Codec, CodecName> = {
  [Codec.UNKNOWN]: "unknown",
  [Codec.OPUS]: "opus",
  [Codec.VP8]: "vp8",
  [Codec.VP9]: "vp9",
  [Codec.H264]: "h264",
  [Codec.H265]: "h265",
  [Codec.AV1]: "av1",
};
const MEDIA: Record<MediaType, MediaKind> = { [MediaType.AUDIO]: "audio", [MediaType.VIDEO]: "video" };

const OPUS_SILENCE = Buffer.from([0xf8, 0xff, 0xfe]);
const isSilence = (packet: Uint8Array) => OPUS_SILENCE.equals(packet);

/** davey names a codec per frame; the Encryptor maps SSRCs to codecs, so each codec's number serves as its SSRC. */
function newEncryptor(): Encryptor {
  const encryptor = new Encryptor();
  for (const [codec, name] of Object.entries(CODECS)) encryptor.assignSsrcToCodec(Number(codec), name);
  return encryptor;
}

/**
 * The media side of a davey session, on the calling thread: this member's encryptor and a decryptor per other
 * member, fed with the base secrets the MLS worker exports after each commit or Welcome.
 */
export class DaveyMedia {
  private encryptor = newEncryptor();
  private readonly decryptors = new Map<string, Decryptor>();
  /** Unencrypted packets refused by `decrypt` (passthrough off). */
  droppedPlaintext = 0;

  /**
   * A commit or Welcome was applied (davey's update_ratchets): every other member's decryptor moves to the new
   * epoch's ratchet (older ones stay usable for 10 s, then are erased), departed members' decryptors are erased,
   * and the encryptor switches to this member's new ratchet (erasing the old one).
   */
  install(selfUserId: string, keys: readonly SenderKey[]): void {
    for (const { userId, baseSecret } of keys) {
      const ratchet = new KeyRatchet(baseSecret);
      baseSecret.fill(0);
      if (userId === selfUserId) {
        this.encryptor.setKeyRatchet(ratchet);
        continue;
      }
      let decryptor = this.decryptors.get(userId);
      if (!decryptor) {
        decryptor = new Decryptor();
        this.decryptors.set(userId, decryptor);
      }
      decryptor.transitionToKeyRatchet(ratchet);
    }
    const members = new Set(keys.map((k) => k.userId));
    for (const [userId, decryptor] of this.decryptors) {
      if (members.has(userId)) continue;
      decryptor.erase();
      this.decryptors.delete(userId);
    }
  }

  /** reinit: a new encryptor and no decryptors. */
  clear(): void {
    this.encryptor.setKeyRatchet(null);
    this.encryptor = newEncryptor();
    for (const decryptor of this.decryptors.values()) decryptor.erase();
    this.decryptors.clear();
  }

  encrypt(mediaType: MediaType, codec: Codec, packet: Uint8Array): Buffer {
    // The Opus silence frame goes out as is (DAVE "Silence packets").
    if (isSilence(packet)) return Buffer.from(packet);
    const result = this.encryptor.encrypt(MEDIA[mediaType], codec, packet);
    if (!result.ok) throw daveyError("Failed to encrypt: EncryptionFailed");
    return asBuffer(result.frame);
  }

  decrypt(userId: string, mediaType: MediaType, packet: Uint8Array): Buffer {
    const decryptor = this.decryptorOf(userId, "Failed to decrypt");
    if (isSilence(packet)) return Buffer.from(packet);
    const result = decryptor.decrypt(MEDIA[mediaType], packet);
    if (result.ok) return asBuffer(result.frame);
    if (result.reason === "not-encrypted") {
      this.droppedPlaintext++;
      throw daveyError("Failed to decrypt: DecryptionFailed(UnencryptedWhenPassthroughDisabled)");
    }
    const media = memberName(MediaType, mediaType);
    throw daveyError(
      `Failed to decrypt: DecryptionFailed(NoValidCryptorFound { media_type: ${media}, encrypted_size: ${packet.length}, reason: ${result.reason} })`,
    );
  }

  encryptionStats(mediaType: MediaType): EncryptionStats {
    const { successes, failures, duration, attempts, maxAttempts } = this.encryptor.stats(MEDIA[mediaType]);
    return { successes, failures, duration, attempts, maxAttempts };
  }

  decryptionStats(userId: string, mediaType: MediaType): DecryptionStats {
    const stats = this.decryptorOf(userId, "Failed to get decryption stats").stats(MEDIA[mediaType]);
    const { successes, failures, duration, attempts, passthroughs } = stats;
    return { successes, failures, duration, attempts, passthroughs };
  }

  canPassthrough(userId: string): boolean {
    return this.decryptors.get(userId)?.passthroughAllowed ?? false;
  }

  setPassthroughMode(passthrough: boolean, expirySeconds: number): void {
    for (const decryptor of this.decryptors.values()) {
      decryptor.transitionToPassthroughMode(passthrough, expirySeconds * 1000);
    }
  }

  private decryptorOf(userId: string, prefix: string): Decryptor {
    const decryptor = this.decryptors.get(userId);
    if (!decryptor) throw daveyError(`${prefix}: NoDecryptorForUser`);
    return decryptor;
  }
}
