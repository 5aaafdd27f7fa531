/**
 * DAVE displayable codes: `length` digits from `data`, in groups of `groupSize` bytes each read big-endian,
 * reduced modulo 10^groupSize and zero-padded (dave-notes "Verification").
 */
export function generateDisplayableCode(data: Uint8Array, length: number, groupSize: number): string {
  if (!Number.isInteger(groupSize) || groupSize < 1 || groupSize > 8)
    throw new RangeError("group size must be 1–8");
  if (!Number.isInteger(length) || length % groupSize !== 0) {
    throw new RangeError("code length must be a whole number of groups");
  }
  if (data.length < length) throw new RangeError(`a ${length}-digit code needs ${length} bytes of data`);
  const modulus = 10n ** BigInt(groupSize);
  let code = "";
  for (let i = 0; i < length; i += groupSize) {
    let group = 0n;
    for (let j = 0; j < groupSize; j++) group = (group << 8n) | BigInt(data[i + j] as number);
    code += (group % modulus).toString().padStart(groupSize, "0");
  }
  return code;
}

/** The 30-digit voice privacy code from a call's epoch authenticator, as shown to users in groups of five. */
export function voicePrivacyCode(epochAuthenticator: Uint8Array): string {
  return epochAuthenticator.length === 0 ? "" : generateDisplayableCode(epochAuthenticator, 30, 5);
}

/** The 45-digit verification code of a pairwise fingerprint. */
export function verificationCode(pairwiseFingerprint: Uint8Array): string {
  return generateDisplayableCode(pairwiseFingerprint, 45, 5);
}
