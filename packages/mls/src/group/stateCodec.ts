import { type ClientState, decodeGroupState, ENGINE_VERSION, encodeGroupState } from "../engine.js";
import { ParleyMlsError } from "../errors.js";
import { type CryptoProvider, loadSuite } from "../suite.js";
import { MlsGroup } from "./mlsGroup.js";
import type { GroupOptions } from "./options.js";

/*
 * Saved group state: "PMLS" ‖ u16 format version ‖ u8-length engine version ‖ u16 ciphersuite ‖ engine state.
 * The engine's own encoding carries no version, so ours says who wrote it; anything else is refused with a
 * typed error naming what was found rather than being decoded into a wrong state.
 */

const MAGIC = Uint8Array.of(0x50, 0x4d, 0x4c, 0x53); // "PMLS"
export const STATE_FORMAT_VERSION = 1;

export function encodeGroup(group: MlsGroup): Uint8Array {
  const engine = new TextEncoder().encode(ENGINE_VERSION);
  const body = encodeGroupState(group.state);
  const out = new Uint8Array(4 + 2 + 1 + engine.length + 2 + body.length);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint16(4, STATE_FORMAT_VERSION);
  out[6] = engine.length;
  out.set(engine, 7);
  view.setUint16(7 + engine.length, group.suite.id);
  out.set(body, 9 + engine.length);
  return out;
}

export async function decodeGroup(
  bytes: Uint8Array,
  options: GroupOptions & { provider?: CryptoProvider } = {},
): Promise<MlsGroup> {
  if (bytes.length < 9 || !MAGIC.every((b, i) => bytes[i] === b)) {
    const found = Buffer.from(bytes.subarray(0, 4)).toString("hex") || "nothing";
    throw new ParleyMlsError("state-format", `not Parley group state: magic ${found}, expected 504d4c53`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const format = view.getUint16(4);
  if (format !== STATE_FORMAT_VERSION) {
    throw new ParleyMlsError(
      "state-format",
      `group state format ${format}; this build reads ${STATE_FORMAT_VERSION}`,
    );
  }
  const engineLength = bytes[6] as number;
  if (bytes.length < 9 + engineLength)
    throw new ParleyMlsError("truncated", "group state header is cut short");
  const engine = new TextDecoder().decode(bytes.subarray(7, 7 + engineLength));
  if (engine !== ENGINE_VERSION) {
    throw new ParleyMlsError(
      "state-format",
      `group state written by ${engine}; this build runs ${ENGINE_VERSION}`,
    );
  }
  const suite = await loadSuite(view.getUint16(7 + engineLength), options.provider);
  const body = bytes.subarray(9 + engineLength);
  let decoded: [Omit<ClientState, "clientConfig">, number] | undefined;
  try {
    decoded = decodeGroupState(body, 0);
  } catch {
    decoded = undefined;
  }
  if (decoded === undefined || decoded[1] !== body.length) {
    throw new ParleyMlsError("malformed", "group state body does not decode");
  }
  return MlsGroup.fromState(suite, decoded[0] as ClientState, options);
}
