import { createInterface } from "node:readline";
import type { ParleyClient } from "@parley/client";
import { ACCOUNT_OPTIONS } from "./account.js";
import { parseCommand } from "./args.js";
import { openDevice } from "./device.js";
import { chooseProfile } from "./profiles.js";

export const CHAT_USAGE = "parley chat [--username NAME] [--server URL] [--store FILE]";

const HELP = `commands:
  /list                       your conversations
  /new NAME [USER...]         create a conversation (and invite users)
  /open N                     switch to conversation N of /list
  /history [N]                the last N messages (default 20)
  /invite USER...             add users (all their devices)
  /remove USER...             remove users
  /rename NAME                rename the conversation
  /members                    members with their verification codes
  /leave                      leave the conversation
  /devices add                add your other devices to all your conversations
  /revoke DEVICE              remove one of your devices everywhere (id prefix from /members)
  /me                         this device and its verification code
  /quit
anything else is sent to the open conversation`;

/** `parley chat`: an interactive terminal client on the device of the chosen profile. */
export async function runChat(args: string[], say: (line: string) => void): Promise<void> {
  const { values } = parseCommand(args, ACCOUNT_OPTIONS, CHAT_USAGE);
  const client = await openDevice(chooseProfile(values, CHAT_USAGE));
  let current: string | undefined;
  const label = (id: string) => {
    const c = client.conversationList().find((x) => x.id === id);
    return c?.name ? c.name : `${id.slice(0, 8)}…`;
  };
  client.on("message", (m) => say(`[${label(m.conversationId)}] ${m.sender.username}: ${m.text}`));
  client.on("joined", (e) => {
    current ??= e.conversationId; // the first conversation to appear becomes the open one
    say(`* joined ${label(e.conversationId)}`);
  });
  client.on("left", (e) =>
    say(`* ${e.reason === "left" ? "left" : "removed from"} ${label(e.conversationId)}`),
  );
  client.on("renamed", (e) => say(`* renamed to ${e.name}`));
  client.on("membership", (e) => {
    const names = (list: { username: string }[]) => list.map((m) => m.username).join(", ");
    if (e.added.length)
      say(`* [${label(e.conversationId)}] ${e.by?.username ?? "?"} added ${names(e.added)}`);
    if (e.removed.length)
      say(`* [${label(e.conversationId)}] ${e.by?.username ?? "?"} removed ${names(e.removed)}`);
  });
  client.on("error", (e) => say(`! ${e.error.code}: ${e.error.message}`));
  await client.start();
  say(`${client.username} on device ${client.deviceId.slice(0, 12)}… — /help for commands`);
  current = client.conversationList().find((c) => c.status === "active")?.id;

  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });
  const prompt = () => {
    rl.setPrompt(current ? `${label(current)}> ` : "> ");
    rl.prompt();
  };
  prompt();
  for await (const line of rl) {
    try {
      const quit = await command(client, line.trim(), {
        say,
        current: () => current,
        select: (id) => {
          current = id;
        },
      });
      if (quit) break;
    } catch (err) {
      say(`! ${(err as Error).message}`);
    }
    prompt();
  }
  rl.close();
  await client.close();
}

interface Session {
  say(line: string): void;
  current(): string | undefined;
  select(id: string | undefined): void;
}

/** One line of input; true to quit. */
async function command(client: ParleyClient, line: string, s: Session): Promise<boolean> {
  if (line === "") return false;
  const [verb = "", ...words] = line.split(/\s+/);
  const open = () => {
    const id = s.current();
    if (!id) throw new Error("no conversation open: /list, /open N or /new NAME");
    return id;
  };
  const active = () => client.conversationList().filter((c) => c.status === "active");
  if (!line.startsWith("/")) {
    await client.send(open(), line);
    return false;
  }
  switch (verb) {
    case "/quit":
    case "/exit":
      return true;
    case "/help":
      s.say(HELP);
      break;
    case "/list":
      for (const [i, c] of active().entries())
        s.say(
          `${i + 1}. ${c.name || "(unnamed)"}  ${c.members} devices, epoch ${c.epoch}${c.id === s.current() ? "  *" : ""}`,
        );
      break;
    case "/new": {
      const [name = "", ...members] = words;
      const id = await client.createConversation({ name, members });
      s.select(id);
      break;
    }
    case "/open": {
      const c = active()[Number(words[0]) - 1];
      if (!c) throw new Error("no such conversation; see /list");
      s.select(c.id);
      break;
    }
    case "/history":
      for (const h of await client.history(open(), { limit: Number(words[0] ?? 20) || 20 }))
        s.say(`${new Date(h.sentAt).toISOString().slice(11, 19)} ${h.username}: ${h.text}`);
      break;
    case "/invite":
      await client.addMembers(open(), words);
      break;
    case "/remove":
      await client.removeMembers(open(), words);
      break;
    case "/rename":
      await client.rename(open(), words.join(" "));
      break;
    case "/members":
      for (const m of client.members(open()))
        s.say(
          `${m.username.padEnd(16)} ${m.deviceId.slice(0, 12)}  ${m.verificationCode}${m.self ? "  (this device)" : ""}`,
        );
      break;
    case "/leave":
      await client.leave(open());
      s.select(undefined);
      break;
    case "/devices":
      if (words[0] !== "add") throw new Error("usage: /devices add");
      s.say(`added your devices to ${(await client.addOwnDevices()).length} conversation(s)`);
      break;
    case "/revoke": {
      const prefix = words[0] ?? "";
      const ids = new Set(
        active().flatMap((c) =>
          client
            .members(c.id)
            .filter(
              (m) => m.username === client.username && m.deviceId.startsWith(prefix) && prefix.length >= 6,
            )
            .map((m) => m.deviceId),
        ),
      );
      const [deviceId] = [...ids];
      if (ids.size !== 1 || !deviceId) throw new Error("give a unique device id prefix (6+ characters)");
      s.say(`removed from ${(await client.revokeDevice(deviceId)).length} conversation(s)`);
      break;
    }
    case "/me":
      s.say(`${client.username} device ${client.deviceId}\nverification code ${client.verificationCode}`);
      break;
    default:
      throw new Error(`unknown command ${verb}; /help`);
  }
  return false;
}
