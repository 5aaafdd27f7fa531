// `npm test` (every package) and `npm test -w <package>` (one): run the compiled `*.test.js` files, and only
// those, with Node's test runner. Node 20's `--test DIR` would also run helpers (anything under `test/`), and it
// has no glob support, so the files are listed here.
import { spawnSync } from "node:child_process";
import { randomInt } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(import.meta.url), "../..");

/** Every `*.test.js` below `dir`, sorted so runs are in the same order everywhere. */
function testFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".test.js"))
    .map((e) => join(e.parentPath ?? e.path, e.name))
    .sort();
}

// Run from a package directory (npm test -w), only that package; from the root, all of them.
const cwd = process.cwd();
const packages =
  cwd === root ? readdirSync(join(root, "packages")).map((p) => join(root, "packages", p)) : [cwd];
const files = packages.flatMap((p) => testFiles(join(p, "dist", "test")));
if (files.length === 0) {
  console.error(
    `no compiled tests under ${packages.map((p) => relative(root, p) || ".").join(", ")}; build first`,
  );
  process.exit(1);
}
// One base seed for the whole run (see packages/testkit): every file's tests draw their choices from it, so
// this one line replays them all.
const seed = process.env.PARLEY_TEST_SEED || String(randomInt(0, 2 ** 32));
console.log(`# seed ${seed} (PARLEY_TEST_SEED=${seed} to replay)`);
const args = ["--test", "--test-timeout=600000", ...process.argv.slice(2), ...files];
const run = spawnSync(process.execPath, args, {
  stdio: "inherit",
  env: { ...process.env, PARLEY_TEST_SEED: seed },
});
process.exit(run.status ?? 1);
