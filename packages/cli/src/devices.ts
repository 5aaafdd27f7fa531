import type { ParleyClient } from "@parley/client";
import { ACCOUNT_OPTIONS } from "./account.js";
import { parseCommand } from "./args.js";
import { openDevice } from "./device.js";
import { CliError, UsageError } from "./errors.js";
import { chooseProfile } from "./profiles.js";
import { dateTime } from "./time.js";
import { usageOf } from "./usage.js";

export const DEVICES_USAGE = usageOf("devices");

/** Device ids are shown (and typed) by their first 12 hex digits. */
export const shortId = (deviceId: string) => deviceId.slice(0, 12);

/** `parley devices`: this account's devices; `parley devices revoke ID-PREFIX` revokes one of the others. */
export async function runDevices(args: string[], say: (line: string) => void): Promise<void> {
  const { values, words } = parseCommand(args, ACCOUNT_OPTIONS, DEVICES_USAGE, 2);
  const [verb, prefix] = words;
  if (verb !== undefined && verb !== "revoke")
    throw new UsageError(`unknown devices command ${JSON.stringify(verb)}`, DEVICES_USAGE);
  if (verb === "revoke" && prefix === undefined)
    throw new UsageError("which device? give the start of its id", DEVICES_USAGE);
  const client = await openDevice(chooseProfile(values, DEVICES_USAGE));
  try {
    if (prefix === undefined) for (const line of await deviceLines(client)) say(line);
    else {
      await client.start({ live: false }); // its conversations must be current to commit the removals
      say(await revokeByPrefix(client, prefix, DEVICES_USAGE));
    }
  } finally {
    await client.close();
  }
}

/** One line per device of the account, oldest first. */
export async function deviceLines(client: ParleyClient): Promise<string[]> {
  return (await client.devices()).map((d) => {
    const status = d.current ? "this device" : d.revoked ? "revoked" : "";
    return `${shortId(d.deviceId)}  ${status.padEnd(11)}  since ${dateTime(d.createdAt)}  code ${d.verificationCode}`;
  });
}

/** Revoke the one other, unrevoked device whose id starts with `prefix`; says what was done. */
export async function revokeByPrefix(client: ParleyClient, prefix: string, usage: string): Promise<string> {
  if (!/^[0-9a-f]{4,64}$/.test(prefix))
    throw new UsageError("a device id prefix is 4 or more of its hex digits", usage);
  const matching = (await client.devices()).filter((d) => !d.revoked && d.deviceId.startsWith(prefix));
  const others = matching.filter((d) => !d.current);
  const [target] = others;
  if (!target)
    throw new CliError(
      matching.length > 0
        ? "that is this device: revoke it from another one, or log out"
        : `none of your other devices has an id starting with ${prefix}`,
    );
  if (others.length > 1)
    throw new CliError(`${prefix} matches ${others.length} devices: give more of the id`);
  const changed = await client.revokeDevice(target.deviceId);
  return `revoked ${shortId(target.deviceId)}; removed from ${changed.length} conversation(s)`;
}
