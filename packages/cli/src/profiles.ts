import { existsSync, readdirSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { CliError, UsageError } from "./errors.js";

/*
 * One store per account on this machine: $PARLEY_HOME/<server host[:port]>/<username>/device.db (PARLEY_HOME
 * defaults to ~/.parley), so two users, or one user on two servers, never share a device. `--store FILE` picks
 * a file instead.
 */

export interface Profile {
  readonly host: string;
  readonly username: string;
  readonly path: string;
}

/** What a command was told about which account to use. */
export interface ProfileChoice {
  readonly store?: string | undefined;
  readonly username?: string | undefined;
  readonly server?: string | undefined;
}

const STORE_FILE = "device.db";

export function parleyHome(): string {
  return process.env.PARLEY_HOME || join(homedir(), ".parley");
}

/** The `host[:port]` of a server URL, which names its profiles' directory. */
export function hostOf(server: string, usage: string): string {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new UsageError(`${JSON.stringify(server)} is not a URL (e.g. http://127.0.0.1:8080)`, usage);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new UsageError("the server URL must start with http:// or https://", usage);
  return url.host;
}

/** The store of `username` on `server` (register and login create it there). */
export function profilePath(server: string, username: string, usage: string): string {
  return join(parleyHome(), hostOf(server, usage), username, STORE_FILE);
}

/** Every account with a store under PARLEY_HOME. */
export function listProfiles(): Profile[] {
  const home = parleyHome();
  const dirs = (path: string) =>
    existsSync(path)
      ? readdirSync(path, { withFileTypes: true })
          .filter((e) => e.isDirectory())
          .map((e) => e.name)
          .sort()
      : [];
  return dirs(home).flatMap((host) =>
    dirs(join(home, host))
      .map((username) => ({ host, username, path: join(home, host, username, STORE_FILE) }))
      .filter((p) => existsSync(p.path)),
  );
}

/**
 * The store a command works on: `--store`, else the one profile that `--username`/`--server` (or the absence of
 * any other) leaves.
 */
export function chooseProfile(choice: ProfileChoice, usage: string): string {
  if (choice.store) return choice.store;
  const host = choice.server ? hostOf(choice.server, usage) : undefined;
  const all = listProfiles();
  const matches = all.filter(
    (p) => (!choice.username || p.username === choice.username) && (!host || p.host === host),
  );
  const names = (list: Profile[]) => list.map((p) => `${p.username}@${p.host}`).join(", ");
  if (matches.length === 1) return (matches[0] as Profile).path;
  if (all.length === 0)
    throw new CliError(
      `no account on this machine yet (${parleyHome()}): run parley register or parley login`,
    );
  if (matches.length === 0) throw new CliError(`no such profile; the profiles here are ${names(all)}`);
  throw new CliError(
    `several profiles (${names(matches)}): choose one with --username NAME (and --server URL)`,
  );
}
