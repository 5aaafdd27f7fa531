export { PublicGroupView } from "./groupView.js";
export {
  type CommitChange,
  CommitCheckError,
  type CommitRefusal,
  type IncomingLeaf,
  type PublicMember,
} from "./types.js";
