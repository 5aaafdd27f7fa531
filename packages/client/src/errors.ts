/**
 * Typed errors of @parley/client. Messages name what went wrong and where (route, status, group), never secret
 * material: no keys, tokens, passwords, exporter outputs or plaintext.
 */
export type ClientErrorCode =
  | "network" // no response: the server may or may not have applied the request (ambiguous)
  | "malformed-response" // the server answered something this client cannot read
  | "unexpected-status" // an HTTP status the route does not document
  | "unauthorized" // 401: token missing, expired or revoked; log in again
  | "forbidden" // 403
  | "not-found" // 404: absent, or not visible to this device (e.g. removed from the group)
  | "conflict" // 409 outside the commit path (e.g. username taken)
  | "rejected" // another documented 4xx: the server refused the request
  | "rate-limited" // 429
  | "server-error" // 5xx
  | "storage" // the local store failed or holds something unreadable
  | "store-locked" // another process (or connection) has the store open
  | "mls" // the MLS engine refused an operation or a message
  | "not-logged-in" // the store holds no device session
  | "unknown-conversation"
  | "not-member" // this device is no longer a member of the conversation
  | "commit-pending" // an earlier commit's fate is not known yet (server unreachable); retry later
  | "retries-exhausted" // kept losing the epoch race
  | "no-key-packages" // the user has no devices with key packages to claim
  | "undecryptable" // a message from the log could not be processed
  | "untrusted-identity" // a leaf's device binding is missing or invalid, or its identity key is not the pinned one
  | "usage"; // the caller asked for something that cannot be done

export class ParleyClientError extends Error {
  override readonly name = "ParleyClientError";
  constructor(
    readonly code: ClientErrorCode,
    message: string,
    readonly details: {
      /** HTTP status, when the server answered. */
      status?: number;
      /** The server's `error` code, when it sent one. */
      serverCode?: string;
      /** On a rejected `send`: the message is stored and will be sent, in order, once the server is back. */
      queued?: boolean;
      cause?: unknown;
    } = {},
  ) {
    super(message, details.cause !== undefined ? { cause: details.cause } : undefined);
  }

  /** True when the request may have been applied although no answer came back. */
  get ambiguous(): boolean {
    return this.code === "network";
  }
}

export function isClientError(err: unknown, code?: ClientErrorCode): err is ParleyClientError {
  return err instanceof ParleyClientError && (code === undefined || err.code === code);
}

/** Wrap any failure into a ParleyClientError without copying secret-bearing detail beyond the error's message. */
export function asClientError(err: unknown, code: ClientErrorCode, context: string): ParleyClientError {
  if (err instanceof ParleyClientError) return err;
  const detail = err instanceof Error ? `${err.name}: ${err.message}` : "unknown failure";
  return new ParleyClientError(code, `${context}: ${detail}`, { cause: err });
}
