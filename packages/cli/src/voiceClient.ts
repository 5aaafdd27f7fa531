import { randomInt } from "node:crypto";
import { parseArgs } from "node:util";
import { MemoryKeyStore, VoiceSession } from "@parley/dave";
import { RelayCodec, VoiceGatewayClient } from "@parley/voice-gateway";
import { positiveInteger, required, snowflake, url } from "./args.js";
import { CliError } from "./errors.js";
import { closeMeaning, joinFailure } from "./gatewayFailure.js";
import { IDENTITY_ID, openIdentity } from "./identity.js";
import { displayUrl } from "./socketErrors.js";
import { SyntheticSource } from "./voiceSource.js";

type Say = (line: string) => void;

/** Group a digit string in fives, as Discord displays codes. */
const grouped = (code: string) => code.match(/.{1,5}/g)?.join(" ") ?? "";

function voiceClientArgs(args: string[]) {
  const { values } = parseArgs({
    args,
    options: {
      url: { type: "string" },
      user: { type: "string" },
      channel: { type: "string" },
      frames: { type: "string" },
      identity: { type: "string" },
      "require-e2ee": { type: "boolean" },
    },
    strict: true,
  });
  return {
    url: url(required(values.url, "--url", "ws://HOST:PORT"), "--url", ["ws:", "wss:"]),
    user: snowflake(required(values.user, "--user", "ID"), "--user"),
    channel: snowflake(values.channel ?? "1", "--channel"), // "1": the gateway's default channel
    frames: positiveInteger(values.frames, "--frames") ?? Number.POSITIVE_INFINITY,
    identity: values.identity,
    requireE2EE: values["require-e2ee"] ?? false,
  };
}

/**
 * Print each executed transition with the voice privacy code and a verification code per other member. Says
 * whether the last executed transition left this member in an E2EE group with someone: only then is there
 * anyone to encrypt to (a member alone keeps an old key that nobody else holds).
 */
function followTransitions(voice: VoiceSession, say: Say): { withOthers(): boolean } {
  let roster: readonly string[] = [];
  let withOthers = false;
  const others = () => roster.filter((id) => id !== voice.userId);
  voice.on("roster", (userIds) => {
    roster = userIds;
  });
  voice.on("transition", ({ transitionId, protocolVersion }) => {
    withOthers = protocolVersion > 0 && others().length > 0;
    if (protocolVersion === 0)
      return say(`transition ${transitionId}: protocol version 0, no end-to-end encryption`);
    if (!withOthers) return say(`transition ${transitionId}: alone in the call, waiting for others`);
    say(
      `transition ${transitionId}: epoch ${voice.epoch}, members ${roster.join(", ")}; ` +
        `voice privacy code ${grouped(voice.voicePrivacyCode)}`,
    );
    for (const other of others()) {
      voice.getVerificationCode(other).then(
        (code) => say(`  verification code with ${other}: ${grouped(code)}`),
        () => undefined, // left before the code was computed
      );
    }
  });
  voice.on("failure", ({ source, reason }) => say(`failure (${source}): ${reason}`));
  return { withOthers: () => withOthers };
}

/** Frames decrypted (and failed) per sender since the last `take`. */
function countHeard(client: VoiceGatewayClient, voice: VoiceSession): { take(): string } {
  let heard = new Map<string, { ok: number; failed: number }>();
  client.on("media", (userId, _ssrc, _codec, frame) => {
    const count = heard.get(userId) ?? { ok: 0, failed: 0 };
    heard.set(userId, count);
    if (voice.decrypt(userId, frame, "opus").ok) count.ok++;
    else count.failed++;
  });
  return {
    take() {
      const line = [...heard]
        .map(([id, c]) => `${id} ${c.ok} ok${c.failed > 0 ? ` ${c.failed} failed` : ""}`)
        .join(", ");
      heard = new Map();
      return line || "nothing";
    },
  };
}

/** With --require-e2ee: the reason the run ends, once the gateway asks for protocol version 0. */
function downgradeRefusal(voice: VoiceSession): Promise<string> {
  return new Promise((resolve) =>
    voice.once("downgradeRefused", () =>
      resolve(
        "the voice gateway turned end-to-end encryption off (DAVE protocol version 0); refused (--require-e2ee)",
      ),
    ),
  );
}

/**
 * `parley voice-client --url ws://127.0.0.1:8081 --user ID [--channel ID] [--frames N] [--identity FILE]
 * [--require-e2ee]`: join a DAVE call with a VoiceSession, produce synthetic Opus frames at 50/s (sent end-to-end
 * encrypted, or held back while there is no E2EE group to encrypt to), and print each transition and, every
 * second, what was sent, held back and decrypted from whom. Ends after N frames produced, on Ctrl-C, when the
 * gateway closes, or (with --require-e2ee, exit 1) when the gateway asks to turn end-to-end encryption off.
 */
export async function runVoiceClient(args: string[], say: Say): Promise<void> {
  const options = voiceClientArgs(args);
  // One signature key for the whole run (a group reset would otherwise make a new one, and new codes), kept
  // across runs with --identity.
  const keyStore = options.identity ? await openIdentity(options.identity) : new MemoryKeyStore();
  const client = await VoiceGatewayClient.connect(options.url, options.user, {
    maxDaveProtocolVersion: 1,
    channelId: options.channel,
  }).catch((err: unknown) => {
    throw joinFailure(err, options.url, options.user);
  });
  const voice = new VoiceSession({
    transport: client,
    userId: options.user,
    channelId: options.channel,
    authSessionId: IDENTITY_ID,
    keyStore,
    requireE2EE: options.requireE2EE,
  });
  const refused = options.requireE2EE ? downgradeRefusal(voice) : undefined;
  say(
    `connected to ${displayUrl(options.url)} as ${voice.userId} in channel ${options.channel} ` +
      `(DAVE protocol v${client.daveProtocolVersion})`,
  );
  const call = followTransitions(voice, say);
  const ssrc = randomInt(1, 0xffffffff);
  const send = (frame: Uint8Array) => {
    // Alone, or before the first transition, there is no one to encrypt to: the frame is held back.
    if (!voice.ready || (voice.protocolVersion > 0 && !call.withOthers())) return false;
    const out = voice.encrypt(frame, "opus", ssrc);
    if (out.ok) client.sendMedia(ssrc, RelayCodec.opus, out.frame);
    return out.ok;
  };
  const heard = countHeard(client, voice);
  const { source, endedBy } = await runCall(client, heard, send, options.frames, say, refused);
  const { sent, heldBack } = source.total;
  say(`leaving after ${source.produced} frames (sent ${sent}, held back ${heldBack})`);
  await client.close();
  voice.dispose();
  if (endedBy) throw new CliError(endedBy);
}

/**
 * Produce frames and report every second until the frame limit, a signal, the gateway closing, or `refused`
 * settling (the last two end the run with their reason).
 */
async function runCall(
  client: VoiceGatewayClient,
  heard: { take(): string },
  send: (frame: Uint8Array) => boolean,
  limit: number,
  say: Say,
  refused: Promise<string> | undefined,
): Promise<{ source: SyntheticSource; endedBy: string | undefined }> {
  let endedBy: string | undefined;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  refused?.then((why) => {
    endedBy ??= why;
    finish();
  });
  const source = new SyntheticSource(send, limit, finish);
  let seconds = 0;
  const reporter = setInterval(() => {
    const { sent, heldBack } = source.takeSecond();
    say(`[${++seconds}s] sent ${sent}, held back ${heldBack}; decrypted ${heard.take()}`);
  }, 1000);
  const onClose = (code: number) => {
    endedBy ??= closeMeaning(code);
    finish();
  };
  client.on("close", onClose);
  process.once("SIGINT", finish);
  process.once("SIGTERM", finish);
  await finished;
  source.stop();
  clearInterval(reporter);
  client.off("close", onClose);
  process.off("SIGINT", finish);
  process.off("SIGTERM", finish);
  return { source, endedBy };
}
