/** A refusal the API reports as `{ error, message }` with an HTTP status; never carries secrets. */
export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const unauthorized = () =>
  new ApiError(401, "unauthorized", "missing, unknown or expired bearer token");
/** Used for groups and users a caller may not see: the answer does not reveal whether they exist. */
export const notFound = (what: string) => new ApiError(404, "not_found", `${what} not found`);

/** 429: the caller may try again in `retryAfter` seconds (also sent as the Retry-After header). */
export class RetryLater extends ApiError {
  readonly retryAfter: number;

  constructor(code: string, message: string, waitMs: number) {
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    super(429, code, `${message}; retry in ${seconds} s`, { retryAfter: seconds });
    this.retryAfter = seconds;
  }
}

/** A per-account quota is used up; nothing was stored. */
export const quotaExceeded = (quota: string, limit: number) =>
  new ApiError(403, "quota_exceeded", `this account has reached its quota of ${limit} ${quota}`, {
    quota,
    limit,
  });
