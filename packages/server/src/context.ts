import type { FastifyReply, FastifyRequest } from "fastify";
import type { ServerConfig } from "./config.js";
import type { SessionStreams } from "./sessionStreams.js";
import type { Store } from "./storage/store.js";

/** The authenticated caller of a request (set by `authenticate`). */
export interface Auth {
  readonly accountId: string;
  readonly deviceId: string;
  readonly tokenHash: string;
  readonly expiresAt: number;
}

declare module "fastify" {
  interface FastifyRequest {
    auth: Auth;
  }
}

/** What every route module gets: storage, settings, and the bearer-token check. */
export interface ServerContext {
  readonly store: Store;
  readonly config: ServerConfig;
  /** The clock limits and session expiry read (`config.now`, else Date.now). */
  readonly now: () => number;
  /** Open event streams, ended with their sessions. */
  readonly streams: SessionStreams;
  authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void>;
}
