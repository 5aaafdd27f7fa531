import type { Range } from "./frame.js";

/**
 * A frame as a codec transform lays it out for encryption (libdave OutboundFrameProcessor): clear bytes the
 * packetizer must read and bytes to encrypt, in order. A transform may rewrite the frame (H.26x start codes
 * become 4 bytes, AV1 drops OBUs), so the layout is built from pieces rather than ranges over the input.
 */
export class OutboundFrame {
  private readonly clearParts: Uint8Array[] = [];
  private readonly encryptedParts: Uint8Array[] = [];
  private readonly ranges: Range[] = [];
  private length = 0;

  addClear(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const last = this.ranges.at(-1);
    if (last && last.offset + last.size === this.length) {
      this.ranges[this.ranges.length - 1] = { offset: last.offset, size: last.size + bytes.length };
    } else {
      this.ranges.push({ offset: this.length, size: bytes.length });
    }
    this.clearParts.push(bytes);
    this.length += bytes.length;
  }

  addEncrypted(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.encryptedParts.push(bytes);
    this.length += bytes.length;
  }

  /** The unencrypted ranges, the clear bytes (the AAD) and the bytes to encrypt. */
  layout(): { clear: Range[]; aad: Uint8Array; plaintext: Uint8Array } {
    return {
      clear: this.ranges,
      aad: new Uint8Array(Buffer.concat(this.clearParts)),
      plaintext: new Uint8Array(Buffer.concat(this.encryptedParts)),
    };
  }
}
