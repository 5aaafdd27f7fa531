import { mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { ParleyClient, SqliteStore } from "@parley/client";

/** Where a device lives by default: one SQLite file per profile under ~/.parley. */
export function storePath(path: string | undefined): string {
  const file = path ?? join(homedir(), ".parley", "device.db");
  mkdirSync(dirname(file), { recursive: true });
  return file;
}

/** The password from PARLEY_PASSWORD, or asked on the terminal without echo. */
async function password(): Promise<string> {
  const fromEnv = process.env.PARLEY_PASSWORD;
  if (fromEnv) return fromEnv;
  if (!process.stdin.isTTY) throw new Error("set PARLEY_PASSWORD or run in a terminal");
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  const output = rl as unknown as { _writeToOutput: (s: string) => void };
  process.stdout.write("password: ");
  output._writeToOutput = () => {}; // no echo
  const answer = await new Promise<string>((resolve) => rl.question("", resolve));
  rl.close();
  process.stdout.write("\n");
  return answer;
}

function accountArgs(args: string[]) {
  const { values } = parseArgs({
    args,
    options: {
      server: { type: "string" },
      username: { type: "string", short: "u" },
      store: { type: "string" },
      "registration-token": { type: "string" },
    },
    strict: true,
  });
  if (!values.server || !values.username) throw new Error("--server URL and --username NAME are required");
  return { ...values, server: values.server, username: values.username };
}

/** `parley register --server URL --username NAME [--store FILE]`: create the account and this device. */
export async function runRegister(args: string[], say: (line: string) => void): Promise<void> {
  const a = accountArgs(args);
  const client = await ParleyClient.register({
    serverUrl: a.server,
    username: a.username,
    password: await password(),
    store: SqliteStore.open(storePath(a.store)),
    ...(a["registration-token"] ? { registrationToken: a["registration-token"] } : {}),
  });
  await client.replenishKeyPackages();
  say(`registered ${client.username}; device ${client.deviceId.slice(0, 16)}…`);
  say(`your verification code: ${client.verificationCode}`);
  await client.close();
}

/** `parley login --server URL --username NAME [--store FILE]`: a new session (a new device if the store is new). */
export async function runLogin(args: string[], say: (line: string) => void): Promise<void> {
  const a = accountArgs(args);
  const client = await ParleyClient.login({
    serverUrl: a.server,
    username: a.username,
    password: await password(),
    store: SqliteStore.open(storePath(a.store)),
  });
  await client.replenishKeyPackages();
  say(`logged in as ${client.username}; device ${client.deviceId.slice(0, 16)}…`);
  say(
    "from another of your devices, run /devices add in `parley chat` to bring this one into your conversations",
  );
  await client.close();
}
