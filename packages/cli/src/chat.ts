import { createInterface } from "node:readline";
import { ACCOUNT_OPTIONS } from "./account.js";
import { parseCommand } from "./args.js";
import { isMessage, runLine } from "./chatCommands.js";
import { ChatSession } from "./chatSession.js";
import { ChatView } from "./chatView.js";
import { openDevice } from "./device.js";
import { UsageError } from "./errors.js";
import { toCliError } from "./failure.js";
import { chooseProfile } from "./profiles.js";
import { usageOf } from "./usage.js";

export const CHAT_USAGE = usageOf("chat");

/**
 * `parley chat`: the interactive terminal client on a stored device. It opens at once, with or without the
 * server (history is in the store); live delivery connects, and reconnects, in the background.
 */
export async function runChat(args: string[]): Promise<void> {
  const { values } = parseCommand(args, ACCOUNT_OPTIONS, CHAT_USAGE);
  const client = await openDevice(chooseProfile(values, CHAT_USAGE));
  const terminal = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal });
  rl.on("SIGINT", () => rl.close()); // Ctrl-C quits like Ctrl-D and /quit
  // Iterate from now on: lines piped in (or typed) while the client starts are queued, not lost.
  const lines = rl[Symbol.asyncIterator]();
  const chat = new ChatSession(client, new ChatView(rl, process.stdout, terminal));
  try {
    chat.listen();
    await chat.greet();
    await client.start();
    chat.refreshPrompt();
    for await (const line of lines) {
      if (isMessage(line)) chat.view.eraseEntered(line);
      try {
        if ((await runLine(chat, line)) === "quit") break;
      } catch (err) {
        const failure = toCliError(err);
        chat.print(`! ${failure.message}`);
        if (failure instanceof UsageError && failure.usage) chat.print(`usage: ${failure.usage}`);
      }
      chat.refreshPrompt();
    }
  } finally {
    rl.close();
    await chat.settle();
    await client.close();
  }
}
