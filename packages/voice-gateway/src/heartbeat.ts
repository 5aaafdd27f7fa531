import { VoiceGatewayError } from "./errors.js";

/** What op 3 may carry, echoed back in op 6: a nonce, Discord's v8 `{t, seq_ack}`, or nothing. */
export type HeartbeatData = number | { readonly t: number; readonly seq_ack?: number } | null;

/** op 3's `d`, checked so that only a nonce is ever echoed (absent counts as null). */
export function heartbeatData(d: unknown): HeartbeatData {
  if (d === undefined || d === null) return null;
  if (typeof d === "number" && Number.isFinite(d)) return d;
  if (typeof d === "object" && !Array.isArray(d)) {
    const { t, seq_ack, ...rest } = d as { t?: unknown; seq_ack?: unknown };
    const seqOk = seq_ack === undefined || (Number.isSafeInteger(seq_ack) && (seq_ack as number) >= -1);
    if (typeof t === "number" && Number.isFinite(t) && seqOk && Object.keys(rest).length === 0) {
      return seq_ack === undefined ? { t } : { t, seq_ack: seq_ack as number };
    }
  }
  throw new VoiceGatewayError("malformed", "heartbeat d must be a number, {t, seq_ack} or null");
}
