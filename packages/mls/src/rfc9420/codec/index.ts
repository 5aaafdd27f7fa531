export { CodecError, type CodecErrorCode } from "./error.js";
export { decodeAll, Reader } from "./reader.js";
export { VARINT_MAX, varintSize } from "./varint.js";
export { encodeWith, Writer } from "./writer.js";
