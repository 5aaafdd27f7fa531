import { existsSync, rmSync } from "node:fs";
import { ParleyClient as Client, type ParleyClient, SqliteStore } from "@parley/client";
import { CliError } from "./errors.js";

/** Open the device stored at `path` for a command that needs a logged-in device (chat, logout, devices, …). */
export async function openDevice(path: string): Promise<ParleyClient> {
  if (!existsSync(path)) throw new CliError(`no store at ${path}: run parley register or parley login`);
  const store = SqliteStore.open(path);
  try {
    const device = await store.loadDevice();
    if (!device)
      throw new CliError(`the store at ${path} holds no device: run parley register or parley login`);
    if (!device.token)
      throw new CliError(
        `${device.username} is logged out on this device: parley login --server ${device.serverUrl} --username ${device.username}`,
      );
    return await Client.open({ store });
  } catch (err) {
    await store.close();
    throw err;
  }
}

/**
 * Register or log in on the store at `path`, holding its lock throughout. If this made the store and `action`
 * fails (a local check, the password, or the server), the file goes again: no empty profile is left behind.
 */
export async function onNewDevice(
  path: string,
  action: (store: SqliteStore) => Promise<ParleyClient>,
): Promise<ParleyClient> {
  const existed = existsSync(path);
  const store = SqliteStore.open(path);
  try {
    return await action(store);
  } catch (err) {
    await store.close();
    if (!existed) for (const suffix of ["", "-wal", "-shm"]) rmSync(path + suffix, { force: true });
    throw err;
  }
}

/** Refuse a store that already holds a device: registering on it would create an account it cannot log in. */
export async function requireEmpty(store: SqliteStore, path: string): Promise<void> {
  const device = await store.loadDevice();
  if (device)
    throw new CliError(
      `${path} already holds ${device.username}'s device on ${device.serverUrl}: use parley login, or --store FILE for a new store`,
    );
}
