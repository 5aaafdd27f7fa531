import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const packageDir = fileURLToPath(new URL("../../..", import.meta.url));

/** An application whose node_modules/@snazzah/davey is this package, as `npm:@parley/dave@…` installs it. */
function aliasedApp(files: Record<string, string>): string {
  const app = mkdtempSync(join(tmpdir(), "davey-alias-"));
  mkdirSync(join(app, "node_modules", "@snazzah"), { recursive: true });
  symlinkSync(packageDir, join(app, "node_modules", "@snazzah", "davey"), "dir");
  for (const [name, text] of Object.entries(files)) writeFileSync(join(app, name), text);
  return app;
}

const usage = (load: string) => `
  ${load}
  const session = new DAVESession(1, "158049329150427136", "927310423890473011");
  if (session.getSerializedKeyPackage().length < 100) process.exit(2);
  if (session.status !== SessionStatus.INACTIVE) process.exit(3);
  try { session.processCommit(Buffer.of(0)); process.exit(4); } catch (err) {
    if (err.message !== "Failed to process commit: NoGroup") process.exit(5);
  }
  console.log(String(session));
`;

test("an application aliasing @snazzah/davey to this package runs unchanged (ESM and require) and exits", () => {
  const app = aliasedApp({
    "esm.mjs": usage(`import { DAVESession, SessionStatus } from "@snazzah/davey";`),
    "cjs.cjs": usage(`const { DAVESession, SessionStatus } = require("@snazzah/davey");`),
  });
  try {
    for (const script of ["esm.mjs", "cjs.cjs"]) {
      const started = performance.now();
      const child = spawnSync(process.execPath, [script], { cwd: app, timeout: 15_000 });
      assert.equal(child.status, 0, `${script}: ${child.stderr.toString()}`);
      assert.match(child.stdout.toString(), /^DAVESession \{ protocolVersion: 1, .* status: INACTIVE \}/);
      assert.ok(performance.now() - started < 10_000, "the MLS worker does not keep the process alive");
    }
  } finally {
    rmSync(app, { recursive: true, force: true });
  }
});
