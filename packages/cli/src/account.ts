import { isValidUsername, ParleyClient } from "@parley/client";
import { parseCommand } from "./args.js";
import { onNewDevice, openDevice, requireEmpty } from "./device.js";
import { CliError, UsageError } from "./errors.js";
import { chooseProfile, hostOf, profilePath } from "./profiles.js";
import { openSecrets } from "./secrets.js";
import { usageOf } from "./usage.js";

export const REGISTER_USAGE = usageOf("register");
export const LOGIN_USAGE = usageOf("login");
export const LOGOUT_USAGE = usageOf("logout");
export const PASSWORD_USAGE = usageOf("password");

/** The options every account command takes: which account, on which server, in which store. */
export const ACCOUNT_OPTIONS = {
  server: { type: "string" },
  username: { type: "string", short: "u" },
  store: { type: "string" },
} as const;

function account(values: { server?: string; username?: string }, usage: string) {
  const { server, username } = values;
  if (!server || !username) throw new UsageError("--server URL and --username NAME are required", usage);
  if (!isValidUsername(username)) throw new UsageError("a username is 1–64 of A–Z a–z 0–9 _ . -", usage);
  hostOf(server, usage);
  return { server, username };
}

/** The server's rule, checked here so that a bad password fails before anything is created. */
function acceptable(password: string): string {
  if (password.length < 8 || password.length > 1024)
    throw new CliError("a password has 8 to 1024 characters");
  return password;
}

/**
 * `parley register`: create the account and this device. Everything local is checked first (arguments, the
 * store free and empty, the password typed twice), so a failure leaves no account on the server.
 */
export async function runRegister(args: string[], say: (line: string) => void): Promise<void> {
  const { values } = parseCommand(
    args,
    { ...ACCOUNT_OPTIONS, "registration-token": { type: "string" } },
    REGISTER_USAGE,
  );
  const { server, username } = account(values, REGISTER_USAGE);
  const path = values.store ?? profilePath(server, username, REGISTER_USAGE);
  const secrets = openSecrets();
  const token = values["registration-token"];
  const client = await onNewDevice(path, async (store) => {
    await requireEmpty(store, path);
    const password = acceptable(await secrets.ask("password", "PARLEY_PASSWORD", { confirm: true }));
    return ParleyClient.register({
      serverUrl: server,
      username,
      password,
      store,
      ...(token ? { registrationToken: token } : {}),
    });
  }).finally(() => secrets.close());
  try {
    await client.replenishKeyPackages();
    say(
      `registered ${username} on ${hostOf(server, REGISTER_USAGE)}; device ${client.deviceId.slice(0, 12)}`,
    );
    say(`your verification code: ${client.verificationCode}`);
    say(`store: ${path}; next: parley chat --username ${username}`);
  } finally {
    await client.close();
  }
}

/** `parley login`: a new session; a new device if the store is new (then bring it in with /devices add). */
export async function runLogin(args: string[], say: (line: string) => void): Promise<void> {
  const { values } = parseCommand(args, ACCOUNT_OPTIONS, LOGIN_USAGE);
  const { server, username } = account(values, LOGIN_USAGE);
  const path = values.store ?? profilePath(server, username, LOGIN_USAGE);
  const secrets = openSecrets();
  const client = await onNewDevice(path, async (store) => {
    const password = await secrets.ask("password", "PARLEY_PASSWORD");
    return ParleyClient.login({ serverUrl: server, username, password, store });
  }).finally(() => secrets.close());
  try {
    await client.replenishKeyPackages();
    say(`logged in as ${username}; device ${client.deviceId.slice(0, 12)}`);
    say(`this device's verification code: ${client.verificationCode}`);
    say("if this is a new device: run /devices add in parley chat on one of your others to bring it in");
  } finally {
    await client.close();
  }
}

/** `parley logout`: end this device's session; the device stays in its store for a later `parley login`. */
export async function runLogout(args: string[], say: (line: string) => void): Promise<void> {
  const { values } = parseCommand(args, ACCOUNT_OPTIONS, LOGOUT_USAGE);
  const client = await openDevice(chooseProfile(values, LOGOUT_USAGE));
  const username = client.username;
  await client.logout().finally(() => client.close());
  say(`logged out ${username}; the device stays on this machine for parley login`);
}

/** `parley password`: change the account's password (the account's other sessions end). */
export async function runPassword(args: string[], say: (line: string) => void): Promise<void> {
  const { values } = parseCommand(args, ACCOUNT_OPTIONS, PASSWORD_USAGE);
  const client = await openDevice(chooseProfile(values, PASSWORD_USAGE));
  const secrets = openSecrets();
  try {
    const current = await secrets.ask("current password", "PARLEY_PASSWORD");
    const next = acceptable(await secrets.ask("new password", "PARLEY_NEW_PASSWORD", { confirm: true }));
    await client.changePassword(current, next);
    say("password changed; your other devices are logged out and need parley login");
  } finally {
    secrets.close();
    await client.close();
  }
}
