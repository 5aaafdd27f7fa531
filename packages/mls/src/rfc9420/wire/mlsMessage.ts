import type { Reader, Writer } from "../codec/index.js";
import { decodeGroupInfo, encodeGroupInfo, type GroupInfo } from "./groupInfo.js";
import { decodeKeyPackage, encodeKeyPackage, type KeyPackage } from "./keyPackage.js";
import { decodePrivateMessage, encodePrivateMessage, type PrivateMessage } from "./privateMessage.js";
import { decodePublicMessage, encodePublicMessage, type PublicMessage } from "./publicMessage.js";
import { ProtocolVersion, WireFormat } from "./registry.js";
import { decodeWelcome, encodeWelcome, type Welcome } from "./welcome.js";

/** §6 MLSMessage: every wire format behind the protocol version. */
export type MlsMessage = { readonly version: typeof ProtocolVersion.mls10 } & (
  | { readonly wireFormat: typeof WireFormat.publicMessage; readonly publicMessage: PublicMessage }
  | { readonly wireFormat: typeof WireFormat.privateMessage; readonly privateMessage: PrivateMessage }
  | { readonly wireFormat: typeof WireFormat.welcome; readonly welcome: Welcome }
  | { readonly wireFormat: typeof WireFormat.groupInfo; readonly groupInfo: GroupInfo }
  | { readonly wireFormat: typeof WireFormat.keyPackage; readonly keyPackage: KeyPackage }
);

export function decodeMlsMessage(r: Reader): MlsMessage {
  const version = r.uint16("MLSMessage.version");
  if (version !== ProtocolVersion.mls10) {
    r.fail("MLSMessage.version", `unknown protocol version ${version}`, "unsupported");
  }
  const wireFormat = r.uint16("MLSMessage.wire_format");
  switch (wireFormat) {
    case WireFormat.publicMessage:
      return { version, wireFormat, publicMessage: decodePublicMessage(r) };
    case WireFormat.privateMessage:
      return { version, wireFormat, privateMessage: decodePrivateMessage(r) };
    case WireFormat.welcome:
      return { version, wireFormat, welcome: decodeWelcome(r) };
    case WireFormat.groupInfo:
      return { version, wireFormat, groupInfo: decodeGroupInfo(r) };
    case WireFormat.keyPackage:
      return { version, wireFormat, keyPackage: decodeKeyPackage(r) };
    default:
      return r.fail("MLSMessage.wire_format", `unknown wire format ${wireFormat}`, "unsupported");
  }
}

export function encodeMlsMessage(w: Writer, m: MlsMessage): void {
  w.uint16(m.version);
  w.uint16(m.wireFormat);
  switch (m.wireFormat) {
    case WireFormat.publicMessage:
      encodePublicMessage(w, m.publicMessage);
      break;
    case WireFormat.privateMessage:
      encodePrivateMessage(w, m.privateMessage);
      break;
    case WireFormat.welcome:
      encodeWelcome(w, m.welcome);
      break;
    case WireFormat.groupInfo:
      encodeGroupInfo(w, m.groupInfo);
      break;
    case WireFormat.keyPackage:
      encodeKeyPackage(w, m.keyPackage);
      break;
  }
}
