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
