export { type KeyPackageExpectation, validateKeyPackage } from "./validate.js";
