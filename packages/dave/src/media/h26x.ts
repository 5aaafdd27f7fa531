/** H.264 / H.265 Annex B helpers shared by the codec transforms and the ciphertext check. */

export const LONG_START_CODE = Uint8Array.of(0, 0, 0, 1);

/**
 * The next NAL unit after a 3- or 4-byte start code in `buffer[from, end)`: where the unit starts and the start
 * code's size, or undefined.
 */
export function nextNalUnit(
  buffer: Uint8Array,
  from: number,
  end = buffer.length,
): { start: number; startCodeSize: 3 | 4 } | undefined {
  for (let i = from; i < end - 3; ) {
    const third = buffer[i + 2] as number;
    if (third > 1) {
      i += 3;
    } else if (third === 1) {
      if (buffer[i + 1] === 0 && buffer[i] === 0) {
        return { start: i + 3, startCodeSize: i >= 1 && buffer[i - 1] === 0 ? 4 : 3 };
      }
      i += 3;
    } else {
      i++;
    }
  }
  return undefined;
}

/**
 * How many bytes of an H.264 slice payload cover its first three Exp-Golomb values (first_mb_in_slice,
 * slice_type, pic_parameter_set_id), which the depacketizer reads; emulation-prevention bytes are skipped
 * when counting bits. 0 when the values are implausibly large.
 */
export function bytesCoveringH264Pps(payload: Uint8Array): number {
  let bit = 0;
  let zeros = 0;
  let parsed = 0;
  while (bit < payload.length * 8 && parsed < 3) {
    const bitInByte = bit % 8;
    const byteIndex = Math.floor(bit / 8);
    const byte = payload[byteIndex] as number;
    if (
      bitInByte === 0 &&
      byteIndex >= 2 &&
      byte === 3 &&
      payload[byteIndex - 1] === 0 &&
      payload[byteIndex - 2] === 0
    ) {
      bit += 8;
      continue;
    }
    if ((byte & (1 << (7 - bitInByte))) === 0) {
      zeros++;
      bit++;
      if (zeros >= 32) return 0;
    } else {
      parsed++;
      bit += 1 + zeros;
      zeros = 0;
    }
  }
  return Math.floor(bit / 8) + 1;
}
