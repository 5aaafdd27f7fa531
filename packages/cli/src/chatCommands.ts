import { isValidUsername } from "@parley/client";
import type { ChatSession } from "./chatSession.js";
import { deviceLines, revokeByPrefix, shortId } from "./devices.js";
import { CliError, UsageError } from "./errors.js";

/** What a line typed in `parley chat` does; "quit" ends the chat. */
export type Outcome = "continue" | "quit";

interface Command {
  readonly usage: string;
  readonly help: string;
  /** The chat ends after it. */
  readonly quits?: true;
  run(s: ChatSession, args: string[], usage: string): Promise<void>;
}

function none(args: string[], usage: string): void {
  if (args.length > 0) throw new UsageError(`${usage.split(" ")[0]} takes no arguments`, usage);
}

function usernames(args: string[], usage: string): string[] {
  if (args.length === 0) throw new UsageError("name at least one user", usage);
  const bad = args.find((u) => !isValidUsername(u));
  if (bad !== undefined) throw new UsageError(`not a username: ${JSON.stringify(bad)}`, usage);
  return args;
}

function count(word: string | undefined, usage: string, fallback?: number): number {
  if (word === undefined && fallback !== undefined) return fallback;
  const n = Number(word);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`${JSON.stringify(word)} is not a number from 1 up`, usage);
  return n;
}

const active = (s: ChatSession) => s.client.conversationList().filter((c) => c.status === "active");

const COMMANDS: Record<string, Command> = {
  "/help": {
    usage: "/help",
    help: "this list",
    run: async (s, args, usage) => {
      none(args, usage);
      s.print(helpText());
    },
  },
  "/list": {
    usage: "/list",
    help: "your conversations",
    run: async (s, args, usage) => {
      none(args, usage);
      const list = active(s);
      if (list.length === 0) s.print("* no conversations yet: /new NAME [USER...]");
      for (const [i, c] of list.entries())
        s.print(
          `${i + 1}. ${c.name || "(unnamed)"}  ${c.members} devices${c.id === s.current ? "  (open)" : ""}`,
        );
    },
  },
  "/new": {
    usage: "/new NAME [USER...]",
    help: "create a conversation (and invite users)",
    run: async (s, args, usage) => {
      const [name, ...members] = args;
      if (!name) throw new UsageError("give the conversation a name", usage);
      if (members.length > 0) usernames(members, usage);
      await s.open(await s.client.createConversation({ name, members }));
    },
  },
  "/open": {
    usage: "/open N",
    help: "switch to conversation N of /list",
    run: async (s, args, usage) => {
      if (args.length !== 1) throw new UsageError("give the number of a conversation in /list", usage);
      const c = active(s)[count(args[0], usage) - 1];
      if (!c) throw new UsageError("no such conversation in /list", usage);
      await s.open(c.id);
    },
  },
  "/history": {
    usage: "/history [N]",
    help: "the last N messages (default 20)",
    run: async (s, args, usage) => {
      if (args.length > 1) throw new UsageError("at most one number", usage);
      const limit = count(args[0], usage, 20);
      for (const h of await s.client.history(s.requireOpen(), { limit }))
        s.print(`${h.username}: ${h.text}`, h.sentAt);
    },
  },
  "/invite": {
    usage: "/invite USER...",
    help: "add users (all their devices)",
    run: async (s, args, usage) => {
      const users = usernames(args, usage); // arguments first: a usage mistake is told as one
      await s.client.addMembers(s.requireOpen(), users);
    },
  },
  "/remove": {
    usage: "/remove USER...",
    help: "remove users",
    run: async (s, args, usage) => {
      const users = usernames(args, usage);
      await s.client.removeMembers(s.requireOpen(), users);
    },
  },
  "/rename": {
    usage: "/rename NAME",
    help: "rename the conversation",
    run: async (s, args, usage) => {
      if (args.length === 0) throw new UsageError("give the new name", usage);
      await s.client.rename(s.requireOpen(), args.join(" "));
    },
  },
  "/members": {
    usage: "/members",
    help: "members with their verification codes",
    run: async (s, args, usage) => {
      none(args, usage);
      for (const m of s.client.members(s.requireOpen()))
        s.print(
          `${m.username.padEnd(16)} ${shortId(m.deviceId)}  ${m.verificationCode}${m.self ? "  (this device)" : ""}`,
        );
    },
  },
  "/leave": {
    usage: "/leave",
    help: "leave the conversation",
    run: async (s, args, usage) => {
      none(args, usage);
      await s.client.leave(s.requireOpen());
    },
  },
  "/devices": {
    usage: "/devices [add | revoke ID-PREFIX]",
    help: "your devices; add: bring your other devices into your conversations; revoke: shut one out",
    run: async (s, args, usage) => {
      const [verb, prefix, ...rest] = args;
      if (verb === undefined) for (const line of await deviceLines(s.client)) s.print(line);
      else if (verb === "add" && prefix === undefined)
        s.print(`* added your devices to ${(await s.client.addOwnDevices()).length} conversation(s)`);
      else if (verb === "revoke" && prefix !== undefined && rest.length === 0)
        s.print(`* ${await revokeByPrefix(s.client, prefix, usage)}`);
      else throw new UsageError("/devices, /devices add or /devices revoke ID-PREFIX", usage);
    },
  },
  "/me": {
    usage: "/me",
    help: "this device and its verification code",
    run: async (s, args, usage) => {
      none(args, usage);
      s.print(
        `${s.client.username}, device ${s.client.deviceId}\nverification code ${s.client.verificationCode}`,
      );
    },
  },
  "/logout": {
    usage: "/logout",
    help: "log this device out and quit (it stays here for parley login)",
    quits: true,
    run: async (s, args, usage) => {
      none(args, usage);
      await s.settle();
      await s.client.logout();
      s.print("* logged out");
    },
  },
  "/quit": {
    usage: "/quit",
    help: "leave the chat (also Ctrl-D)",
    quits: true,
    run: async (_s, args, usage) => none(args, usage),
  },
};

function helpText(): string {
  const rows = Object.values(COMMANDS).map((c) => `  ${c.usage.padEnd(36)} ${c.help}`);
  return ["commands:", ...rows, "anything else is sent to the open conversation; //text sends /text"].join(
    "\n",
  );
}

/** A line to send, not a command (`//…` sends a message that starts with `/`). */
export function isMessage(line: string): boolean {
  const text = line.trim();
  return text !== "" && (!text.startsWith("/") || text.startsWith("//"));
}

/** Run one line of input: a command, or a message. */
export async function runLine(s: ChatSession, line: string): Promise<Outcome> {
  const text = line.trim();
  if (text === "") return "continue";
  if (isMessage(text)) {
    s.send(text.startsWith("//") ? text.slice(1) : text);
    return "continue";
  }
  const [verb = "", ...args] = text.split(/\s+/);
  const command = COMMANDS[verb === "/exit" ? "/quit" : verb];
  if (!command) throw new CliError(`unknown command ${verb}: /help lists them`);
  await command.run(s, args, command.usage);
  return command.quits ? "quit" : "continue";
}
