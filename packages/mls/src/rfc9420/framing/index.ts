export {
  type PrivateFraming,
  type ProtectOptions,
  protectPrivateMessage,
  signPrivateContent,
  unprotectPrivateMessage,
} from "./privateMessage.js";
export {
  type PublicFraming,
  publicMessage,
  signPublicContent,
  unprotectPublicMessage,
} from "./publicMessage.js";
export { checkGroupAndEpoch, framedContentTbs } from "./sign.js";
export {
  confirmationTag,
  confirmedTranscriptHash,
  interimTranscriptHash,
  verifyConfirmationTag,
} from "./transcript.js";
