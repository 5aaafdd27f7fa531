import * as davey from "@snazzah/davey";
import { DAVESession } from "../../src/index.js";

/** Both implementations, typed by davey's declarations: the facade has to fit them to be used here at all. */
export type Dave = davey.DAVESession;
export type Kind = "parley" | "davey";
export const KINDS: readonly Kind[] = ["parley", "davey"];

export const CHANNEL = "927310423890473011";

export function newSession(
  kind: Kind,
  userId: string,
  channelId = CHANNEL,
  keyPair?: davey.SigningKeyPair,
): Dave {
  return kind === "parley"
    ? new DAVESession(1, userId, channelId, keyPair)
    : new davey.DAVESession(1, userId, channelId, keyPair);
}

/** What a call did, comparable across implementations: a value, or davey's error message and napi code. */
export type Outcome =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly message: string; readonly code: unknown; readonly rejected: boolean };

function failure(err: unknown, rejected: boolean): Outcome {
  const error = err as Error & { code?: unknown };
  if (!(error instanceof Error)) throw new Error(`not an Error: ${String(err)}`);
  return { ok: false, message: error.message, code: error.code, rejected };
}

export function outcome(call: () => unknown): Outcome {
  try {
    return { ok: true, value: call() };
  } catch (err) {
    return failure(err, false);
  }
}

/** For Promise-returning calls: whether it threw at once or rejected matters too. */
export async function asyncOutcome(call: () => Promise<unknown>): Promise<Outcome> {
  let promise: Promise<unknown>;
  try {
    promise = call();
  } catch (err) {
    return failure(err, false);
  }
  try {
    return { ok: true, value: await promise };
  } catch (err) {
    return failure(err, true);
  }
}
