import { ParleyMlsError } from "../../errors.js";

/** The codes a codec failure carries: the input ended early, broke a rule, or names something unknown. */
export type CodecErrorCode = "truncated" | "malformed" | "unsupported";

/**
 * A refusal to decode (or encode) a TLS-presentation structure. It names the field and the byte offset where
 * decoding stopped and never quotes the input, which may hold secrets.
 */
export class CodecError extends ParleyMlsError {
  constructor(
    code: CodecErrorCode,
    readonly field: string,
    readonly offset: number,
    reason: string,
  ) {
    super(code, `${field} at offset ${offset}: ${reason}`);
  }
}
