import { toBase64 } from "../bytes.js";
import { type ClientErrorCode, ParleyClientError } from "../errors.js";
import { deviceIdOf } from "../identity.js";
import { EventStreamParser } from "./eventStream.js";
import {
  array,
  boolean,
  bytes,
  DEVICE_ID,
  GROUP_ID,
  integer,
  malformed,
  object,
  string,
} from "./responses.js";
import type {
  AccountDevice,
  CommitBundle,
  CommitOutcome,
  LogEntry,
  MessageOutcome,
  ServerEvent,
  Session,
  Transport,
  WelcomeEntry,
  WelcomePage,
} from "./transport.js";

export interface HttpTransportOptions {
  /** Per-request timeout (default 30 s); a timeout is an ambiguous `network` error. */
  timeoutMs?: number;
  /** Largest response body read (default 32 MiB). */
  maxResponseBytes?: number;
  fetch?: typeof fetch;
}

interface Answer {
  readonly status: number;
  readonly body: unknown;
}

const STATUS_CODES: Record<number, ClientErrorCode> = {
  401: "unauthorized",
  403: "forbidden",
  404: "not-found",
  409: "conflict",
  429: "rate-limited",
};

/** Welcomes per inbox page (the server's largest), and what each costs in a response besides its bytes. */
const WELCOME_PAGE = 100;
const WELCOME_ENTRY_OVERHEAD = 512;
/** The server's largest page of Welcome bytes. */
const MAX_WELCOME_PAGE_BYTES = 8 * 1024 * 1024;

const EVENT_TYPES = new Set(["message", "group_update", "membership", "welcome", "lagged"]);

/** The server's HTTP API over global fetch, plus its SSE stream parsed from the response body. */
export class HttpTransport implements Transport {
  readonly serverUrl: string;
  private token: string | undefined;
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;
  /** Welcome bytes asked for per inbox page: their base64 and the entries' fields fit the response limit. */
  private readonly welcomePageBytes: number;
  private readonly fetch: typeof fetch;

  constructor(serverUrl: string, options: HttpTransportOptions = {}) {
    let url: URL;
    try {
      url = new URL(serverUrl);
    } catch {
      throw new ParleyClientError("usage", "the server URL is not a URL");
    }
    if (url.protocol !== "http:" && url.protocol !== "https:")
      throw new ParleyClientError("usage", "the server URL must be http(s)");
    this.serverUrl = url.origin + url.pathname.replace(/\/+$/, "");
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxResponseBytes = options.maxResponseBytes ?? 32 * 1024 * 1024;
    const forBytes = this.maxResponseBytes - WELCOME_PAGE * WELCOME_ENTRY_OVERHEAD - 1024;
    this.welcomePageBytes = Math.min(MAX_WELCOME_PAGE_BYTES, Math.max(1, Math.floor((forBytes * 3) / 4)));
    this.fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  setToken(token: string | undefined): void {
    this.token = token;
  }

  /** One request: the status and parsed JSON body, or a typed error for anything that is not an HTTP answer. */
  private async request(
    method: string,
    path: string,
    route: string,
    options: { json?: unknown; raw?: Uint8Array; headers?: Record<string, string>; auth?: boolean } = {},
  ): Promise<Answer> {
    const headers: Record<string, string> = { accept: "application/json", ...options.headers };
    if (options.auth !== false) {
      if (!this.token) throw new ParleyClientError("not-logged-in", `${route}: no session token`);
      headers.authorization = `Bearer ${this.token}`;
    }
    let body: string | Uint8Array | undefined;
    if (options.raw) {
      body = options.raw;
      headers["content-type"] = "message/mls";
    } else if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers["content-type"] = "application/json";
    }
    let response: Response;
    try {
      response = await this.fetch(`${this.serverUrl}${path}`, {
        method,
        headers,
        ...(body !== undefined ? { body } : {}),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new ParleyClientError("network", `${route}: no response (${(err as Error).name})`, {
        cause: err,
      });
    }
    let text: string;
    try {
      text = await this.readText(response);
    } catch (err) {
      if (err instanceof ParleyClientError) throw err;
      // The status line arrived but the body did not: for a state-changing request that is still ambiguous.
      throw new ParleyClientError("network", `${route}: response body cut off (${(err as Error).name})`, {
        status: response.status,
        cause: err,
      });
    }
    if (text === "") return { status: response.status, body: undefined };
    try {
      return { status: response.status, body: JSON.parse(text) };
    } catch {
      if (response.status >= 500)
        throw new ParleyClientError("server-error", `${route}: HTTP ${response.status}`, {
          status: response.status,
        });
      throw malformed(route, `HTTP ${response.status} with a body that is not JSON`);
    }
  }

  private async readText(response: Response): Promise<string> {
    if (!response.body) return "";
    const chunks: Uint8Array[] = [];
    let total = 0;
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      total += chunk.length;
      if (total > this.maxResponseBytes) {
        throw malformed("response", `body exceeds ${this.maxResponseBytes} bytes`);
      }
      chunks.push(chunk);
    }
    return Buffer.concat(chunks).toString("utf8");
  }

  /** Turn an undocumented or error status into a typed error carrying the server's code (not its text). */
  private failure(route: string, answer: Answer): ParleyClientError {
    const body =
      typeof answer.body === "object" && answer.body !== null ? (answer.body as Record<string, unknown>) : {};
    const serverCode = typeof body.error === "string" ? body.error.slice(0, 64) : undefined;
    const message = typeof body.message === "string" ? `: ${body.message.slice(0, 200)}` : "";
    const status = answer.status;
    const code: ClientErrorCode =
      STATUS_CODES[status] ??
      (status >= 500 ? "server-error" : status >= 400 ? "rejected" : "unexpected-status");
    return new ParleyClientError(
      code,
      `${route}: HTTP ${status}${serverCode ? ` ${serverCode}` : ""}${message}`,
      {
        status,
        ...(serverCode ? { serverCode } : {}),
      },
    );
  }

  private expect(route: string, answer: Answer, ...statuses: number[]): Record<string, unknown> {
    if (!statuses.includes(answer.status)) throw this.failure(route, answer);
    return object(route, answer.body);
  }

  async register(username: string, password: string, registrationToken?: string): Promise<void> {
    const route = "POST /v1/accounts";
    const answer = await this.request("POST", "/v1/accounts", route, {
      auth: false,
      json: { username, password, ...(registrationToken ? { registrationToken } : {}) },
    });
    const body = this.expect(route, answer, 201);
    string(route, body.accountId, "accountId");
  }

  async login(username: string, password: string, signatureKey: Uint8Array): Promise<Session> {
    const route = "POST /v1/sessions";
    const answer = await this.request("POST", "/v1/sessions", route, {
      auth: false,
      json: { username, password, signatureKey: toBase64(signatureKey) },
    });
    const body = this.expect(route, answer, 201);
    return {
      token: string(route, body.token, "token", /^[A-Za-z0-9_-]{16,512}$/),
      deviceId: string(route, body.deviceId, "deviceId", DEVICE_ID),
      expiresAt: integer(route, body.expiresAt, "expiresAt"),
    };
  }

  async logout(): Promise<void> {
    const route = "DELETE /v1/sessions/current";
    const answer = await this.request("DELETE", "/v1/sessions/current", route);
    if (answer.status !== 204) throw this.failure(route, answer);
  }

  async changePassword(currentPassword: string, newPassword: string): Promise<void> {
    const route = "PUT /v1/account/password";
    const answer = await this.request("PUT", "/v1/account/password", route, {
      json: { currentPassword, newPassword },
    });
    if (answer.status !== 204) throw this.failure(route, answer);
  }

  async listDevices(): Promise<AccountDevice[]> {
    const route = "GET /v1/devices";
    const body = this.expect(route, await this.request("GET", "/v1/devices", route), 200);
    return array(route, body.devices, "devices").map((item, i) => {
      const d = object(route, item, `devices[${i}]`);
      const deviceId = string(route, d.deviceId, `devices[${i}].deviceId`, DEVICE_ID);
      const signatureKey = bytes(route, d.signatureKey, `devices[${i}].signatureKey`);
      // The verification code is computed from the key: it must be the key the device id names.
      if (deviceIdOf(signatureKey) !== deviceId) throw malformed(route, `devices[${i}]: key and id differ`);
      return {
        deviceId,
        signatureKey,
        createdAt: integer(route, d.createdAt, `devices[${i}].createdAt`),
        revoked: boolean(route, d.revoked, `devices[${i}].revoked`),
        current: boolean(route, d.current, `devices[${i}].current`),
      };
    });
  }

  async revokeDevice(deviceId: string): Promise<void> {
    const route = "DELETE /v1/devices/{deviceId}";
    const answer = await this.request("DELETE", `/v1/devices/${encodeURIComponent(deviceId)}`, route);
    if (answer.status !== 204) throw this.failure(route, answer);
  }

  async uploadKeyPackages(keyPackages: Uint8Array[], lastResort?: Uint8Array): Promise<number> {
    const route = "POST /v1/key-packages";
    const answer = await this.request("POST", "/v1/key-packages", route, {
      json: {
        keyPackages: keyPackages.map(toBase64),
        ...(lastResort ? { lastResort: toBase64(lastResort) } : {}),
      },
    });
    return integer(route, this.expect(route, answer, 201).stored, "stored");
  }

  async keyPackageCount(): Promise<{ available: number; lastResort: boolean }> {
    const route = "GET /v1/key-packages/count";
    const body = this.expect(route, await this.request("GET", "/v1/key-packages/count", route), 200);
    return {
      available: integer(route, body.available, "available"),
      lastResort: boolean(route, body.lastResort, "lastResort"),
    };
  }

  async claimKeyPackages(username: string): Promise<{ deviceId: string; keyPackage: Uint8Array }[]> {
    const route = "POST /v1/users/{username}/key-packages/claim";
    const path = `/v1/users/${encodeURIComponent(username)}/key-packages/claim`;
    const body = this.expect(route, await this.request("POST", path, route), 200);
    return array(route, body.keyPackages, "keyPackages").map((item, i) => {
      const kp = object(route, item, `keyPackages[${i}]`);
      return {
        deviceId: string(route, kp.deviceId, `keyPackages[${i}].deviceId`, DEVICE_ID),
        keyPackage: bytes(route, kp.keyPackage, `keyPackages[${i}].keyPackage`),
      };
    });
  }

  async createGroup(groupId: string, groupInfo: Uint8Array): Promise<void> {
    const route = "POST /v1/groups";
    const json = { groupId, groupInfo: toBase64(groupInfo) };
    const body = this.expect(route, await this.request("POST", "/v1/groups", route, { json }), 201);
    if (body.groupId !== groupId) throw malformed(route, "groupId differs from the one registered");
  }

  async fetchGroupInfo(groupId: string): Promise<Uint8Array> {
    const route = "GET /v1/groups/{groupId}/group-info";
    const answer = await this.request("GET", `/v1/groups/${groupId}/group-info`, route);
    return bytes(route, this.expect(route, answer, 200).groupInfo, "groupInfo");
  }

  async groupStatus(groupId: string): Promise<{ epoch: number; nextSeq: number }> {
    const route = "GET /v1/groups/{groupId}";
    const body = this.expect(route, await this.request("GET", `/v1/groups/${groupId}`, route), 200);
    return {
      epoch: integer(route, body.epoch, "epoch"),
      nextSeq: integer(route, body.nextSeq, "nextSeq", 1),
    };
  }

  async postCommit(groupId: string, bundle: CommitBundle): Promise<CommitOutcome> {
    const route = "POST /v1/groups/{groupId}/commits";
    const answer = await this.request("POST", `/v1/groups/${groupId}/commits`, route, {
      json: {
        commit: toBase64(bundle.commit),
        ...(bundle.welcome
          ? { welcomes: [{ deviceIds: bundle.welcome.deviceIds, welcome: toBase64(bundle.welcome.welcome) }] }
          : {}),
        ...(bundle.groupInfo ? { groupInfo: toBase64(bundle.groupInfo) } : {}),
        added: bundle.added,
        removed: bundle.removed,
      },
    });
    if (answer.status === 409) {
      const body = object(route, answer.body);
      if (body.error !== "epoch_conflict") throw this.failure(route, answer);
      return { kind: "conflict", currentEpoch: integer(route, body.currentEpoch, "currentEpoch") };
    }
    const body = this.expect(route, answer, 201);
    return {
      kind: "accepted",
      seq: integer(route, body.seq, "seq", 1),
      epoch: integer(route, body.epoch, "epoch", 1),
    };
  }

  async postMessage(groupId: string, message: Uint8Array, idempotencyKey: string): Promise<MessageOutcome> {
    const route = "POST /v1/groups/{groupId}/messages";
    const answer = await this.request("POST", `/v1/groups/${groupId}/messages`, route, {
      raw: message,
      headers: { "idempotency-key": idempotencyKey },
    });
    if (answer.status === 409) {
      const body = object(route, answer.body);
      if (body.error !== "wrong_epoch") throw this.failure(route, answer);
      return { kind: "wrong-epoch", currentEpoch: integer(route, body.currentEpoch, "currentEpoch") };
    }
    return { kind: "accepted", seq: integer(route, this.expect(route, answer, 200, 201).seq, "seq", 1) };
  }

  async fetchMessages(groupId: string, after: number, limit: number): Promise<LogEntry[]> {
    const route = "GET /v1/groups/{groupId}/messages";
    const path = `/v1/groups/${groupId}/messages?after=${after}&limit=${limit}`;
    const body = this.expect(route, await this.request("GET", path, route), 200);
    let previous = after;
    return array(route, body.messages, "messages").map((item, i) => {
      const m = object(route, item, `messages[${i}]`);
      const seq = integer(route, m.seq, `messages[${i}].seq`, 1);
      // The log is ordered; anything else would make the cursor skip or repeat messages.
      if (seq <= previous) throw malformed(route, `messages[${i}].seq is not increasing`);
      previous = seq;
      if (m.kind !== "commit" && m.kind !== "application")
        throw malformed(route, `messages[${i}].kind is unknown`);
      return {
        seq,
        kind: m.kind,
        epoch: integer(route, m.epoch, `messages[${i}].epoch`),
        sender: string(route, m.sender, `messages[${i}].sender`, DEVICE_ID),
        message: bytes(route, m.message, `messages[${i}].message`),
      };
    });
  }

  async fetchWelcomes(after: number): Promise<WelcomePage> {
    const route = "GET /v1/welcomes";
    const path = `/v1/welcomes?after=${after}&limit=${WELCOME_PAGE}&maxBytes=${this.welcomePageBytes}`;
    const body = this.expect(route, await this.request("GET", path, route), 200);
    let previous = after;
    const entries = array(route, body.welcomes, "welcomes").map((item, i): WelcomeEntry => {
      const w = object(route, item, `welcomes[${i}]`);
      const id = integer(route, w.id, `welcomes[${i}].id`, 1);
      if (id <= previous) throw malformed(route, `welcomes[${i}].id is not increasing`);
      previous = id;
      const groupId = string(route, w.groupId, `welcomes[${i}].groupId`, GROUP_ID);
      if (w.welcome === undefined)
        return { id, groupId, size: integer(route, w.size, `welcomes[${i}].size`) };
      const welcome = bytes(route, w.welcome, `welcomes[${i}].welcome`);
      return { id, groupId, size: welcome.length, welcome };
    });
    // A server from before byte-bounded pages sends no `more`; its pages were full at 100 entries.
    const more = body.more === undefined ? entries.length >= WELCOME_PAGE : boolean(route, body.more, "more");
    return { entries, more };
  }

  async *events(lastEventId: number | undefined, signal: AbortSignal): AsyncIterable<ServerEvent> {
    const route = "GET /v1/events";
    if (!this.token) throw new ParleyClientError("not-logged-in", `${route}: no session token`);
    let response: Response;
    try {
      response = await this.fetch(`${this.serverUrl}/v1/events`, {
        headers: {
          accept: "text/event-stream",
          authorization: `Bearer ${this.token}`,
          ...(lastEventId !== undefined ? { "last-event-id": String(lastEventId) } : {}),
        },
        signal,
      });
    } catch (err) {
      throw new ParleyClientError("network", `${route}: no response (${(err as Error).name})`, {
        cause: err,
      });
    }
    if (response.status !== 200) {
      let body: unknown;
      try {
        body = JSON.parse(await this.readText(response));
      } catch {
        body = undefined;
      }
      throw this.failure(route, { status: response.status, body });
    }
    if (!(response.headers.get("content-type") ?? "").startsWith("text/event-stream") || !response.body) {
      await response.body?.cancel().catch(() => undefined);
      throw malformed(route, "the response is not an event stream");
    }
    const parser = new EventStreamParser();
    const decoder = new TextDecoder();
    yield { type: "open" };
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        let raw: ReturnType<EventStreamParser["push"]>;
        try {
          raw = parser.push(decoder.decode(chunk, { stream: true }));
        } catch {
          throw malformed(route, "event stream line too long");
        }
        for (const e of raw) {
          // Unknown event types are a newer server's additions, not errors.
          if (EVENT_TYPES.has(e.event)) yield parseEvent(route, e.event, e.data, e.id);
        }
      }
    } catch (err) {
      if (err instanceof ParleyClientError) throw err;
      if (signal.aborted) return;
      throw new ParleyClientError("network", `${route}: stream broke (${(err as Error).name})`, {
        cause: err,
      });
    }
  }
}

function parseEvent(route: string, type: string, data: string, id: string | undefined): ServerEvent {
  let payload: unknown;
  try {
    payload = JSON.parse(data);
  } catch {
    throw malformed(route, `${type} event data is not JSON`);
  }
  const body = object(route, payload, `${type} event data`);
  const eventId = id === undefined || id === "" ? undefined : Number(id);
  if (eventId !== undefined && !(Number.isSafeInteger(eventId) && eventId >= 0))
    throw malformed(route, "event id is not an integer");
  if (type === "lagged") {
    // Where the server stopped writing to us: after a resync by fetching, the stream resumes from there.
    const last =
      body.lastEventId === undefined ? undefined : integer(route, body.lastEventId, "lagged.lastEventId");
    return { type: "lagged", ...(last !== undefined ? { id: last } : {}) };
  }
  const groupId = type === "welcome" ? undefined : string(route, body.groupId, `${type}.groupId`, GROUP_ID);
  return {
    type: type as ServerEvent["type"],
    ...(eventId !== undefined ? { id: eventId } : {}),
    ...(groupId ? { groupId } : {}),
  };
}
