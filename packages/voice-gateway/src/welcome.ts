import { fromBareWelcome, inspectMessage, type MessageInfo } from "@parley/mls";
import { asGatewayError, VoiceGatewayError } from "./errors.js";
import { DAVE_CIPHERSUITE } from "./externalSender.js";

/**
 * A commit's bare Welcome must decode, use DAVE's ciphersuite, and be encrypted to exactly the added key
 * packages (by KeyPackageRef): those are the members op 30 routes it to. Its contents are encrypted; members
 * check the rest (protocol.md "Welcome Handling").
 */
export function checkWelcome(bare: Uint8Array, addedRefs: readonly Uint8Array[]): void {
  let info: MessageInfo;
  try {
    info = inspectMessage(fromBareWelcome(bare));
  } catch (err) {
    throw asGatewayError(err, "invalid-welcome", "Welcome does not decode");
  }
  if (info.wireFormat !== "mls_welcome") throw new VoiceGatewayError("invalid-welcome", "not a Welcome");
  if (info.cipherSuite !== DAVE_CIPHERSUITE) {
    throw new VoiceGatewayError("invalid-welcome", `Welcome uses ciphersuite ${info.cipherSuite}`);
  }
  const wanted = new Set(addedRefs.map((r) => Buffer.from(r).toString("hex")));
  const named = new Set(info.newMembers.map((r) => Buffer.from(r).toString("hex")));
  if (
    named.size !== info.newMembers.length ||
    named.size !== wanted.size ||
    [...wanted].some((r) => !named.has(r))
  ) {
    throw new VoiceGatewayError("invalid-welcome", "Welcome is not for exactly the added key packages");
  }
}
