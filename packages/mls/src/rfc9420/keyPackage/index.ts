export { createKeyPackage, type KeyPackageBundle, type KeyPackageOptions } from "./create.js";
export { type KeyPackageExpectation, validateKeyPackage } from "./validate.js";
