export { Changes, WAIT_TIMEOUT_MS, type WaitOptions } from "./changes.js";
export { baseSeed, Random, SEED_ENV, type SeededTest, testRandom } from "./random.js";
export { type Listening, type Restartable, restartable } from "./restartable.js";
