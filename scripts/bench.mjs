// `npm run bench -- <name> [--quick] [--json FILE] [--html FILE]`: the harness lives in @parley/bench (packages/bench).
import { main } from "../packages/bench/dist/src/index.js";

process.exitCode = await main(process.argv.slice(2));
