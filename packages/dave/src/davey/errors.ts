/** The `code` napi-rs puts on davey's errors. */
export type DaveyErrorCode =
  | "GenericFailure"
  | "InvalidArg"
  | "NumberExpected"
  | "StringExpected"
  | "BooleanExpected"
  | "ObjectExpected";

/**
 * An error as davey throws it: a plain Error with a napi-rs `code`. Messages name the failure, never key
 * material or media.
 */
export function daveyError(message: string, code: DaveyErrorCode = "GenericFailure"): Error {
  return Object.assign(new Error(message), { code });
}
