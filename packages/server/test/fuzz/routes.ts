import type { Random } from "@parley/testkit";
import { b64, INTEGERS, junk, mutateBytes, mutateJson, NASTY_STRINGS, uri, withEpoch } from "./values.js";

/** What the fuzzer aims at: the attacker's accounts and group, the victims' ids, real MLS bytes to mutate. */
export interface FuzzTargets {
  /** The attacker's main token: never logged out, its device never revoked. */
  readonly main: string;
  /** The attacker's second device: it may be logged out or revoked along the way. */
  readonly spare: string;
  /** A third account's token, the one password changes are tried with (they end the account's other sessions). */
  readonly disposable: string;
  readonly ownGroup: string;
  readonly victimGroup: string;
  /** Device ids that may be named, revoked or added (never the main device's). */
  readonly deviceIds: readonly string[];
  readonly usernames: readonly string[];
  readonly passwords: readonly string[];
  /** Signature keys, base64. */
  readonly signatureKeys: readonly string[];
  /** Application messages, commits, GroupInfos, a Welcome, key packages, all for the attacker's group. */
  readonly messages: readonly Uint8Array[];
  readonly commits: readonly Uint8Array[];
  /** PrivateMessage commits: the server cannot look inside, so one for the group's epoch is accepted. */
  readonly privateCommits: readonly Uint8Array[];
  /** The attacker's group's epoch as last seen (run.ts follows accepted commits). */
  readonly epoch: { current: number };
  readonly groupInfos: readonly Uint8Array[];
  readonly welcome: Uint8Array;
  readonly keyPackages: readonly Uint8Array[];
  readonly lastResort: Uint8Array;
}

export interface FuzzRequest {
  readonly route: string;
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: Uint8Array;
}

type Body = { json: unknown } | { raw: Uint8Array; type: string };

interface Route {
  readonly name: string;
  readonly method: string;
  readonly auth: "main" | "spare" | "disposable" | "none";
  /** How often it is picked relative to the others (1 unless said). */
  readonly weight?: number;
  path(r: Random, t: FuzzTargets): string;
  body?(r: Random, t: FuzzTargets): Body;
}

const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** A path segment: usually percent-encoded, sometimes raw when HTTP allows it. */
function segment(r: Random, value: string): string {
  return r.chance(0.15) && /^[\x21-\x7e]*$/.test(value) && !value.includes("/") ? value : uri(value);
}

const groupId = (r: Random, t: FuzzTargets) =>
  segment(
    r,
    r.chance(0.6)
      ? t.ownGroup
      : r.pick([t.victimGroup, r.string(r.int(40) + 1, BASE64URL), r.pick(NASTY_STRINGS), "x".repeat(345)]),
  );
const username = (r: Random, t: FuzzTargets) =>
  r.chance(0.7) ? r.pick(t.usernames) : r.chance(0.5) ? r.pick(NASTY_STRINGS) : r.string(8, "abcxyz_.-");
const deviceId = (r: Random, t: FuzzTargets) =>
  r.chance(0.7) ? r.pick(t.deviceIds) : r.pick(["0".repeat(64), "F".repeat(64), ...NASTY_STRINGS]);
const integer = (r: Random) => (r.chance(0.6) ? r.pick(INTEGERS) : String(r.int(100_000)));
const bytesOf = (r: Random, samples: readonly Uint8Array[]) => {
  const sample = r.pick(samples);
  return r.chance(0.5) ? sample : mutateBytes(r, sample);
};
/** PrivateMessages made current, so that they get past the epoch fence to what is stored after it. */
const current = (r: Random, t: FuzzTargets, samples: readonly Uint8Array[]) =>
  r.chance(0.5) ? withEpoch(r.pick(samples), t.epoch.current) : bytesOf(r, samples);
const maybe = <T>(r: Random, p: number, make: () => T) => (r.chance(p) ? make() : undefined);

function query(r: Random, params: Record<string, () => string>): string {
  const parts = Object.entries(params)
    .filter(() => r.chance(0.7))
    .flatMap(([k, v]) => (r.chance(0.05) ? [`${k}=${uri(v())}`, `${k}=${uri(v())}`] : [`${k}=${uri(v())}`]));
  if (r.chance(0.05)) parts.push(`${uri(r.pick(NASTY_STRINGS))}=1`);
  return parts.length > 0 ? `?${parts.join("&")}` : "";
}

const ROUTES: readonly Route[] = [
  {
    name: "register",
    method: "POST",
    auth: "none",
    path: () => "/v1/accounts",
    body: (r, t) => ({
      json: {
        username: username(r, t),
        password: r.pick(t.passwords),
        ...maybe(r, 0.2, () => ({ registrationToken: "x" })),
      },
    }),
  },
  {
    name: "login",
    method: "POST",
    auth: "none",
    path: () => "/v1/sessions",
    body: (r, t) => ({
      json: {
        username: username(r, t),
        password: r.pick(t.passwords),
        signatureKey: r.pick(t.signatureKeys),
      },
    }),
  },
  { name: "logout", method: "DELETE", auth: "spare", path: () => "/v1/sessions/current" },
  {
    name: "password",
    method: "PUT",
    auth: "disposable",
    path: () => "/v1/account/password",
    body: (r, t) => ({ json: { currentPassword: r.pick(t.passwords), newPassword: r.pick(t.passwords) } }),
  },
  { name: "devices", method: "GET", auth: "main", path: () => "/v1/devices" },
  {
    name: "revoke",
    method: "DELETE",
    auth: "spare",
    path: (r, t) => `/v1/devices/${segment(r, deviceId(r, t))}`,
  },
  {
    name: "upload",
    method: "POST",
    auth: "main",
    path: () => "/v1/key-packages",
    body: (r, t) => ({
      json: {
        keyPackages: Array.from({ length: r.int(4) }, () => b64(bytesOf(r, t.keyPackages))),
        ...maybe(r, 0.3, () => ({ lastResort: b64(bytesOf(r, [t.lastResort])) })),
      },
    }),
  },
  { name: "count", method: "GET", auth: "main", path: () => "/v1/key-packages/count" },
  {
    name: "claim",
    method: "POST",
    auth: "main",
    path: (r, t) => `/v1/users/${segment(r, username(r, t))}/key-packages/claim`,
  },
  {
    name: "create group",
    method: "POST",
    auth: "main",
    path: () => "/v1/groups",
    body: (r, t) => ({
      json: {
        groupId: r.chance(0.7)
          ? r.string(r.int(30) + 1, BASE64URL)
          : r.pick([t.ownGroup, t.victimGroup, ...NASTY_STRINGS]),
        ...maybe(r, 0.3, () => ({ groupInfo: b64(bytesOf(r, t.groupInfos)) })),
      },
    }),
  },
  { name: "group", method: "GET", auth: "main", path: (r, t) => `/v1/groups/${groupId(r, t)}` },
  {
    name: "commit",
    method: "POST",
    weight: 3,
    auth: "main",
    path: (r, t) => `/v1/groups/${groupId(r, t)}/commits`,
    body: (r, t) => ({
      json: {
        commit: b64(r.chance(0.5) ? current(r, t, t.privateCommits) : bytesOf(r, t.commits)),
        ...maybe(r, 0.3, () => ({
          welcomes: [{ deviceIds: [deviceId(r, t)], welcome: b64(bytesOf(r, [t.welcome])) }],
        })),
        ...maybe(r, 0.3, () => ({ groupInfo: b64(bytesOf(r, t.groupInfos)) })),
        ...maybe(r, 0.3, () => ({ added: [deviceId(r, t)] })),
        ...maybe(r, 0.2, () => ({ removed: [deviceId(r, t)] })),
      },
    }),
  },
  {
    name: "group info",
    method: "GET",
    auth: "main",
    path: (r, t) => `/v1/groups/${groupId(r, t)}/group-info`,
  },
  {
    name: "post message",
    method: "POST",
    weight: 2,
    auth: "main",
    path: (r, t) => `/v1/groups/${groupId(r, t)}/messages`,
    body: (r, t) =>
      r.chance(0.7)
        ? { raw: current(r, t, t.messages), type: "message/mls" }
        : { json: { message: b64(current(r, t, t.messages)) } },
  },
  {
    name: "messages",
    method: "GET",
    auth: "main",
    path: (r, t) =>
      `/v1/groups/${groupId(r, t)}/messages${query(r, { after: () => integer(r), limit: () => integer(r) })}`,
  },
  {
    name: "welcomes",
    method: "GET",
    auth: "main",
    path: (r) =>
      `/v1/welcomes${query(r, { after: () => integer(r), limit: () => integer(r), maxBytes: () => integer(r) })}`,
  },
  {
    name: "events",
    method: "GET",
    auth: "main",
    path: (r) => `/v1/events${query(r, { lastEventId: () => integer(r) })}`,
  },
  {
    name: "anonymous",
    method: "GET",
    auth: "none",
    path: (r) =>
      r.pick([
        "/healthz",
        "/readyz",
        "/openapi.json",
        "/docs/",
        "/docs/json",
        "/docs/static/index.html",
        "/",
      ]),
  },
  {
    name: "unknown",
    method: "GET",
    auth: "main",
    path: (r) => `/${segment(r, r.pick(NASTY_STRINGS))}/${segment(r, r.pick(NASTY_STRINGS))}`,
  },
];

export const ROUTE_NAMES = ROUTES.map((route) => route.name);
const WEIGHTED = ROUTES.flatMap((route) => Array<Route>(route.weight ?? 1).fill(route));

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
const CONTENT_TYPES = [
  "application/json; charset=utf-8",
  "text/plain",
  "message/mls",
  "application/octet-stream",
  "multipart/form-data; boundary=x",
  "application/x-www-form-urlencoded",
  "application/json; charset=utf-16",
];

function authorization(r: Random, t: FuzzTargets, auth: Route["auth"]): string | undefined {
  const intended = auth === "none" ? undefined : `Bearer ${t[auth]}`;
  if (r.chance(0.8)) return intended;
  return r.pick([
    undefined,
    // Never the main token here: it would be logged out on the way.
    `Bearer ${t.spare}`,
    `Bearer ${t.disposable}`,
    `Bearer ${r.string(43, BASE64URL)}`,
    "Bearer ",
    "Bearer",
    `Bearer ${"x".repeat(300)}`,
    `Basic ${b64(new TextEncoder().encode("mallory:password"))}`,
    `bearer ${t.main}`,
  ]);
}

/** Encode a body: mostly as meant, sometimes as broken JSON or under the wrong content type. */
function encodeBody(r: Random, body: Body): { bytes: Uint8Array; type?: string } {
  if ("raw" in body) return { bytes: body.raw, ...(r.chance(0.9) ? { type: body.type } : {}) };
  const text = JSON.stringify(r.chance(0.4) ? mutateJson(r, body.json) : body.json) ?? "null";
  const bytes = r.chance(0.05)
    ? new TextEncoder().encode(text.slice(0, r.int(text.length)))
    : new TextEncoder().encode(text);
  const type = r.chance(0.85) ? "application/json" : r.chance(0.8) ? r.pick(CONTENT_TYPES) : undefined;
  return { bytes, ...(type ? { type } : {}) };
}

/** One request: a route with hostile parameters, tokens, headers and bodies, sometimes the wrong method. */
export function generate(r: Random, t: FuzzTargets): FuzzRequest {
  const route = r.pick(WEIGHTED);
  const method = r.chance(0.06) ? r.pick(METHODS) : route.method;
  const headers: Record<string, string> = {};
  const auth = authorization(r, t, route.auth);
  if (auth !== undefined) headers.authorization = auth;
  if (r.chance(0.1))
    headers["last-event-id"] = headerValue(r.chance(0.5) ? integer(r) : r.pick(NASTY_STRINGS));
  if (r.chance(0.1)) headers["idempotency-key"] = headerValue(r.pick(NASTY_STRINGS) || "k");
  let body: Uint8Array | undefined;
  const made = route.body?.(r, t) ?? (r.chance(0.05) ? { json: junk(r) } : undefined);
  if (made && method !== "GET" && method !== "HEAD") {
    const encoded = r.chance(0.003)
      ? { bytes: r.bytes(1_100_000), type: "message/mls" }
      : encodeBody(r, made);
    body = encoded.bytes;
    if (encoded.type) headers["content-type"] = encoded.type;
  }
  return { route: route.name, method, path: route.path(r, t), headers, ...(body ? { body } : {}) };
}

/** Header values must be printable; anything else goes percent-encoded. */
const headerValue = (v: string) => (/^[\x20-\x7e]*$/.test(v) ? v : uri(v));
