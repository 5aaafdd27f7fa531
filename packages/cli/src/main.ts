import { runLogin, runLogout, runPassword, runRegister } from "./account.js";
import { runChat } from "./chat.js";
import { runDemo } from "./demo.js";
import { runDevices } from "./devices.js";
import { describeError, exitCodeOf } from "./errors.js";
import { runServer } from "./server.js";
import { runVoiceClient } from "./voiceClient.js";
import { runVoiceGateway } from "./voiceGateway.js";

const USAGE = `usage: parley <command>

commands:
  register create an account and this device --server URL --username NAME [--store FILE]
           (password from PARLEY_PASSWORD, asked, or stdin's first line; the store defaults to
           $PARLEY_HOME/HOST:PORT/NAME/device.db, PARLEY_HOME to ~/.parley)
  login    log this device in (a new device for a new store) --server URL --username NAME [--store FILE]
  chat     the interactive terminal client [--username NAME] [--server URL] [--store FILE]
           (the only profile, or the one these pick)
  logout   end this device's session; it stays for a later login [--username NAME] [--server URL]
  password change the account's password (new one from PARLEY_NEW_PASSWORD or asked) [--username NAME]
  devices  this account's devices; devices revoke ID-PREFIX shuts one out [--username NAME]
  demo     an embedded server and three clients (alice, bob, carol): create, talk, add, a commit race
           (409, retry), offline catch-up, remove; temp files deleted at the end
  server   the delivery and authentication service [--port 8080] [--host 127.0.0.1] [--db ./data/parley.db]
           (PostgreSQL when PARLEY_DATABASE_URL is set)
  voice-gateway  the DAVE voice gateway for calls without Discord [--port 8081] [--host 127.0.0.1]
           [--transition-timeout 2000]
  voice-client  join a DAVE call and send synthetic audio --url ws://127.0.0.1:8081 --user ID [--frames N]
`;

const say = (line: string) => process.stdout.write(`${line}\n`);

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "register":
      await runRegister(rest, say);
      return 0;
    case "login":
      await runLogin(rest, say);
      return 0;
    case "chat":
      await runChat(rest);
      return 0;
    case "logout":
      await runLogout(rest, say);
      return 0;
    case "password":
      await runPassword(rest, say);
      return 0;
    case "devices":
      await runDevices(rest, say);
      return 0;
    case "demo":
      await runDemo((line) => process.stdout.write(`${line}\n`));
      return 0;
    case "server":
      await runServer(rest);
      return 0;
    case "voice-gateway":
      await runVoiceGateway(rest);
      return 0;
    case "voice-client":
      await runVoiceClient(rest, say);
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

/** `--debug` anywhere (or PARLEY_DEBUG=1) shows the stack trace of a failure; it is not passed to commands. */
const argv = process.argv.slice(2);
const debug = argv.includes("--debug") || process.env.PARLEY_DEBUG === "1";
try {
  process.exitCode = await main(argv.filter((a) => a !== "--debug"));
} catch (err) {
  process.stderr.write(`parley: ${describeError(err)}\n`);
  if (debug && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  process.exitCode = exitCodeOf(err);
}
