#!/usr/bin/env node
// The `parley` command. This file is committed (dist/ is not) so that npm can link it when it installs the
// workspace, before anything is built; `npm install` then builds (the root `prepare` script).
import { existsSync } from "node:fs";

const main = new URL("../dist/src/main.js", import.meta.url);
if (!existsSync(main)) {
  process.stderr.write("parley: not built yet; run `npm run build` in the repository first\n");
  process.exit(1);
}
await import(main.href);
