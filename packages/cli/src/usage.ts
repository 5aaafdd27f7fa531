/** One line per command: its arguments, for `parley help` and for the usage line after a usage error. */
interface Command {
  readonly name: string;
  readonly args: string;
  readonly about: string;
}

const COMMANDS: readonly Command[] = [
  {
    name: "register",
    args: "--server URL --username NAME [--store FILE] [--registration-token TOKEN]",
    about:
      "create an account and this device (password from PARLEY_PASSWORD, asked, or stdin's first line);\n" +
      "      the store defaults to $PARLEY_HOME/HOST:PORT/NAME/device.db, PARLEY_HOME to ~/.parley",
  },
  {
    name: "login",
    args: "--server URL --username NAME [--store FILE]",
    about: "log this device in (a new device for a new store)",
  },
  {
    name: "chat",
    args: "[--username NAME] [--server URL] [--store FILE]",
    about: "the interactive terminal client (on the only profile, or the one these pick)",
  },
  {
    name: "logout",
    args: "[--username NAME] [--server URL] [--store FILE]",
    about: "end this device's session; the device stays for a later login",
  },
  {
    name: "password",
    args: "[--username NAME] [--server URL] [--store FILE]",
    about: "change the account's password (the new one from PARLEY_NEW_PASSWORD, or asked)",
  },
  {
    name: "devices",
    args: "[revoke ID-PREFIX] [--username NAME] [--server URL] [--store FILE]",
    about: "this account's devices; `devices revoke ID-PREFIX` shuts one out",
  },
  {
    name: "demo",
    args: "",
    about: "an embedded server and three clients: create, talk, add, a commit race, catch-up, remove",
  },
  {
    name: "server",
    args: "[--port 8080] [--host 127.0.0.1] [--db ./data/parley.db] [--log-format json|pretty]",
    about: "the delivery and authentication service (PostgreSQL when PARLEY_DATABASE_URL is set)",
  },
  {
    name: "voice-gateway",
    args: "[--port 8081] [--host 127.0.0.1] [--transition-timeout 2000] [--log-format json|pretty]",
    about: "the DAVE voice gateway, for calls without Discord",
  },
  {
    name: "voice-client",
    args: "--url ws://127.0.0.1:8081 --user ID [--channel ID] [--frames N] [--identity FILE] [--require-e2ee]",
    about: "join a DAVE call and send synthetic audio (50 frames/s)",
  },
];

/** `parley` without a known command. */
export const GENERAL_USAGE = "parley <command> [options] (parley help lists the commands)";

/** The usage line of `command`, or the general one for an unknown command. */
export function usageOf(command: string | undefined): string {
  const found = COMMANDS.find((c) => c.name === command);
  return found ? `parley ${found.name} ${found.args}`.trimEnd() : GENERAL_USAGE;
}

export function helpText(): string {
  const lines = COMMANDS.map((c) => `  ${usageOf(c.name)}\n      ${c.about}`);
  return `usage: parley <command> [options]\n\n${lines.join("\n")}

--port 0 picks a free port. Logs are pretty on a terminal and JSON lines otherwise (--log-format);
PARLEY_LOG_LEVEL sets their level. --debug (or PARLEY_DEBUG=1) with any command shows stack traces.
`;
}
