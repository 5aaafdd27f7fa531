import { parseArgs } from "node:util";
import { runLogin, runLogout, runPassword, runRegister } from "./account.js";
import { flagValue } from "./args.js";
import { runChat } from "./chat.js";
import { runDemo } from "./demo.js";
import { runDevices } from "./devices.js";
import { UsageError } from "./errors.js";
import { debugReport, toCliError } from "./failure.js";
import { runServer } from "./server.js";
import { helpText, usageOf } from "./usage.js";
import { runVoiceClient } from "./voiceClient.js";
import { runVoiceGateway } from "./voiceGateway.js";

const say = (line: string) => process.stdout.write(`${line}\n`);

async function main(command: string | undefined, rest: string[]): Promise<number> {
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
      parseArgs({ args: rest, options: {}, strict: true }); // it takes no arguments
      await runDemo(say);
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
      process.stdout.write(helpText());
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  }
}

/** `--debug` anywhere (or PARLEY_DEBUG=1) shows the stack trace of a failure; it is not passed to commands. */
const argv = process.argv.slice(2);
const debug = argv.includes("--debug") || process.env.PARLEY_DEBUG === "1";
const [command, ...rest] = argv.filter((a) => a !== "--debug");
try {
  process.exitCode = await main(command, rest);
} catch (err) {
  const failure = toCliError(err, flagValue(rest, "server") ?? flagValue(rest, "url"));
  const usage = failure instanceof UsageError ? `usage: ${failure.usage ?? usageOf(command)}\n` : "";
  process.stderr.write(`parley: ${failure.message}\n${usage}`);
  if (debug) process.stderr.write(debugReport(err));
  process.exitCode = failure.exitCode;
}
