export { mlsExporter } from "./exporter.js";
export {
  deriveEpochSecrets,
  type EpochInput,
  type EpochSecrets,
  externalKeyPair,
  secretsFromJoiner,
  welcomeKeyAndNonce,
} from "./keySchedule.js";
export {
  encodePreSharedKeyId,
  type PreSharedKeyId,
  type PskInput,
  pskSecret,
  type ResumptionUsage,
} from "./psk.js";
export {
  DEFAULT_RATCHET_LIMITS,
  type RatchetKey,
  type RatchetLimits,
  type RatchetType,
  SecretTree,
} from "./secretTree.js";
export { senderDataKeyAndNonce } from "./senderData.js";
