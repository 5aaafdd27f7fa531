import { fromEngineCredential, type MemberCredential } from "../credential.js";
import { type ClientConfig, defaultClientConfig } from "../engine.js";

/**
 * Per-group policy. It is not part of saved state: pass the same options again when loading a group.
 */
export interface GroupOptions {
  /**
   * The application's authentication service (RFC 9420 §5.3.1): may this credential use this signature key?
   * Called for every leaf the group learns about. Default: accept.
   */
  validateCredential?: (credential: MemberCredential, signatureKey: Uint8Array) => boolean | Promise<boolean>;
  /** Check key package lifetimes on receipt as well as on sending (default true). */
  validateLifetimeOnReceive?: boolean;
  /** Past epochs whose keys are kept to decrypt late application messages (default 4). */
  pastEpochs?: number;
  /** Out-of-order application messages tolerated per sender (default 200 generations). */
  maximumForwardRatchetSteps?: number;
}

export function clientConfigOf(options: GroupOptions = {}): ClientConfig {
  const validate = options.validateCredential;
  return {
    ...defaultClientConfig,
    keyRetentionConfig: {
      ...defaultClientConfig.keyRetentionConfig,
      retainKeysForEpochs: options.pastEpochs ?? defaultClientConfig.keyRetentionConfig.retainKeysForEpochs,
      maximumForwardRatchetSteps:
        options.maximumForwardRatchetSteps ??
        defaultClientConfig.keyRetentionConfig.maximumForwardRatchetSteps,
    },
    lifetimeConfig: {
      ...defaultClientConfig.lifetimeConfig,
      validateLifetimeOnReceive: options.validateLifetimeOnReceive ?? true,
    },
    authService: validate
      ? { validateCredential: async (c, key) => validate(fromEngineCredential(c), key) }
      : defaultClientConfig.authService,
  };
}
