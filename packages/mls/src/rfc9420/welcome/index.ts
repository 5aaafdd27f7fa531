export { createWelcome, type WelcomeInput, type WelcomeMember } from "./create.js";
export {
  openGroupInfo,
  sealGroupInfo,
  signGroupInfo,
  verifyConfirmationTag,
  verifyGroupInfoSignature,
} from "./groupInfo.js";
export { openGroupSecrets, sealGroupSecrets } from "./groupSecrets.js";
export { type JoinedGroup, joinGroup } from "./join.js";
export { keyPackageRef } from "./keyPackageRef.js";
export { type OpenedWelcome, openWelcome, type WelcomeKeys } from "./open.js";
