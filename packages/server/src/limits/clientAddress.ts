import { isIPv6 } from "node:net";

/**
 * The key a client address is limited under: an IPv4 address, or the /64 an IPv6 address belongs to. One
 * subscriber usually holds a whole /64, so limits on single IPv6 addresses would be sidestepped by cycling
 * through it. IPv4-mapped IPv6 addresses count as IPv4.
 */
export function addressKey(ip: string): string {
  const address = ip.split("%")[0] ?? ip;
  if (!isIPv6(address)) return address;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return mapped[1];
  const [head = "", tail] = address.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right];
  const prefix = groups.slice(0, 4).map((g) => Number.parseInt(g, 16).toString(16));
  return `${prefix.join(":")}::/64`;
}
