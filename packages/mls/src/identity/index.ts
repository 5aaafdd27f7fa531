export {
  type BindingCheck,
  createBinding,
  DEVICE_BINDING_EXTENSION_TYPE,
  DEVICE_BINDING_LABEL,
  generateIdentityKeyPair,
  type IdentityKeyPair,
  verifyBinding,
} from "./binding.js";
export { bindingOf, type LeafExtension } from "./leafExtensions.js";
