import type { FastifyRequest } from "fastify";
import type { ServerConfig } from "../config.js";
import { RetryLater, unauthorized } from "../errors.js";
import { addressKey } from "../limits/clientAddress.js";
import { TokenBuckets } from "../limits/tokenBuckets.js";
import type { Store } from "../storage/store.js";
import { tokenHash } from "./tokens.js";

const MINUTE = 60_000;

function bearerToken(header: string | undefined): string | undefined {
  const token = header?.startsWith("Bearer ") ? header.slice(7).trim() : undefined;
  return token && token.length <= 256 ? token : undefined;
}

/**
 * The bearer-token check and the request rates. Only an authenticated device has a bucket of its own; every
 * request without a valid token (an anonymous route, a bad or missing token) takes from its client address's,
 * so random tokens cost neither a bucket each nor a scan: both tables are fixed-size and O(1) per request.
 */
export function requestGuard(store: Store, config: ServerConfig, now: () => number) {
  const { requestsPerMinute, anonymousRequestsPerMinute, limiterEntries } = config.limits;
  const devices = new TokenBuckets(requestsPerMinute, MINUTE, limiterEntries, now);
  const addresses = new TokenBuckets(anonymousRequestsPerMinute, MINUTE, limiterEntries, now);

  const anonymous = async (request: FastifyRequest): Promise<void> => {
    const wait = addresses.take(addressKey(request.ip));
    if (wait > 0) {
      throw new RetryLater("rate_limited", "too many requests without a valid token from this address", wait);
    }
  };

  const authenticate = async (request: FastifyRequest): Promise<void> => {
    const token = bearerToken(request.headers.authorization);
    const hash = token === undefined ? undefined : tokenHash(token);
    const session = hash === undefined ? undefined : await store.session(hash, now());
    if (!session || hash === undefined) {
      await anonymous(request);
      throw unauthorized();
    }
    const wait = devices.take(session.deviceId);
    if (wait > 0) throw new RetryLater("rate_limited", "too many requests from this device", wait);
    request.auth = { ...session, tokenHash: hash };
  };

  return { authenticate, anonymous };
}
