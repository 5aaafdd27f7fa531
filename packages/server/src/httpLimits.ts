import type { Server } from "node:http";
import type { ServerConfig } from "./config.js";

/**
 * Fastify options that bound slow clients: Node's HTTP server answers 408 and closes a connection whose headers
 * (slowloris) or whole request did not arrive in time. It checks its connections every
 * `connectionsCheckingInterval` (30 s by default, longer than the timeouts themselves), here a quarter of the
 * shorter timeout, at most a second.
 */
export function httpOptions(limits: ServerConfig["limits"]) {
  const { headersTimeoutMs: headersTimeout, requestTimeoutMs: requestTimeout } = limits;
  return {
    requestTimeout,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    http: {
      headersTimeout,
      requestTimeout,
      connectionsCheckingInterval: Math.max(
        10,
        Math.min(1000, Math.floor(Math.min(headersTimeout, requestTimeout) / 4)),
      ),
    },
  };
}

/** Connections past the cap are dropped as they arrive. */
export function capConnections(server: Server, limits: ServerConfig["limits"]): void {
  server.maxConnections = limits.maxConnections;
}
