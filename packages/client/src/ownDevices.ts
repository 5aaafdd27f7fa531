import type { ClientContext } from "./context.js";

/*
 * The server sends no event when another device logs in to this account, so the client compares the account's
 * device list with the one it saw last (kept in meta) on start and on every reconnect. A new device that was not
 * its owner's doing is how a stolen password shows; the application tells the user, who can revoke it.
 */

const OWN_DEVICES = "ownDevices";

type Context = Pick<ClientContext, "me" | "store" | "transport">;
export type OwnDeviceChange = { readonly added: string[]; readonly removed: string[] };

/** Remember the account's devices unless this store already knows some (a device trusts what it logged in to). */
export async function rememberOwnDevices(ctx: Context): Promise<void> {
  if ((await ctx.store.loadMeta(OWN_DEVICES)) !== undefined) return;
  await ctx.store.write({ meta: { [OWN_DEVICES]: JSON.stringify(await otherDevices(ctx)) } });
}

/** Compare with the devices seen last; `report` any change, then remember the current list. */
export async function checkOwnDevices(
  ctx: Context,
  report: (change: OwnDeviceChange) => void,
): Promise<void> {
  const now = await otherDevices(ctx);
  const known = parseList(await ctx.store.loadMeta(OWN_DEVICES));
  if (known) {
    const added = now.filter((d) => !known.includes(d));
    const removed = known.filter((d) => !now.includes(d));
    if (added.length === 0 && removed.length === 0) return;
    // Told before it is stored: a crash in between tells it again rather than never.
    report({ added, removed });
  }
  await ctx.store.write({ meta: { [OWN_DEVICES]: JSON.stringify(now) } });
}

/** This account's devices other than this one that can still log in, oldest first. */
async function otherDevices(ctx: Context): Promise<string[]> {
  return (await ctx.transport.listDevices())
    .filter((d) => !d.revoked && d.deviceId !== ctx.me.deviceId)
    .map((d) => d.deviceId);
}

function parseList(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : undefined;
  } catch {
    return undefined;
  }
}
