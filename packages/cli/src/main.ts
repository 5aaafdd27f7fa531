#!/usr/bin/env node
import { runDemo } from "./demo.js";
import { runServer } from "./server.js";

const USAGE = `usage: parley <command>

commands:
  demo     three MLS members in one process: create a group, talk, add, remove, update
  server   the delivery and authentication service [--port 8080] [--host 127.0.0.1] [--db ./data/parley.db]
           (PostgreSQL when PARLEY_DATABASE_URL is set)
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "demo":
      await runDemo((line) => process.stdout.write(`${line}\n`));
      return 0;
    case "server":
      await runServer(rest);
      return 0;
    case undefined:
    case "help":
    case "--help":
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`parley: unknown command ${JSON.stringify(command)}\n${USAGE}`);
      return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
