import { randomBytes, randomInt } from "node:crypto";
import { parseArgs } from "node:util";
import { VoiceSession } from "@parley/dave";
import { RelayCodec, VoiceGatewayClient } from "@parley/voice-gateway";

const FRAME_INTERVAL_MS = 20;

/** Group a digit string in fives, as Discord displays codes. */
const grouped = (code: string) => code.match(/.{1,5}/g)?.join(" ") ?? "";

/**
 * `parley voice-client --url ws://127.0.0.1:8081 --user ID [--channel ID] [--frames N]`: join a DAVE call on a
 * voice gateway with a VoiceSession, send synthetic Opus frames (60–120 random bytes) at 50 frames/s, and print
 * each transition (epoch, voice privacy code, verification codes) and, every second, what was decrypted from
 * whom. Ends after N frames sent, on Ctrl-C, or when the gateway closes the connection.
 */
export async function runVoiceClient(args: string[], say: (line: string) => void): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      url: { type: "string" },
      user: { type: "string" },
      channel: { type: "string" },
      frames: { type: "string" },
    },
    strict: true,
  });
  if (!values.url || !values.user) throw new Error("voice-client needs --url ws://HOST:PORT and --user ID");
  const limit = values.frames === undefined ? Number.POSITIVE_INFINITY : Number(values.frames);
  if (!(limit === Number.POSITIVE_INFINITY || (Number.isInteger(limit) && limit > 0))) {
    throw new Error("--frames must be a positive integer");
  }
  const channelId = values.channel ?? "1"; // the gateway's default channel
  const client = await VoiceGatewayClient.connect(values.url, values.user, {
    maxDaveProtocolVersion: 1,
    channelId,
  });
  const voice = new VoiceSession({ transport: client, userId: values.user, channelId });
  const self = voice.userId;
  say(
    `connected to ${values.url} as ${self} in channel ${channelId} (DAVE protocol v${client.daveProtocolVersion})`,
  );

  let roster: readonly string[] = [];
  voice.on("roster", (userIds) => {
    roster = userIds;
  });
  voice.on("transition", ({ transitionId, protocolVersion }) => {
    if (protocolVersion === 0) {
      say(`transition ${transitionId}: protocol version 0, no end-to-end encryption`);
      return;
    }
    const others = roster.filter((id) => id !== self);
    if (others.length === 0) {
      say(`transition ${transitionId}: alone in the call, waiting for others`);
      return;
    }
    say(
      `transition ${transitionId}: epoch ${voice.epoch}, members ${roster.join(", ")}; ` +
        `voice privacy code ${grouped(voice.voicePrivacyCode)}`,
    );
    for (const other of others) {
      voice.getVerificationCode(other).then(
        (code) => say(`  verification code with ${other}: ${grouped(code)}`),
        () => undefined, // left before the code was computed
      );
    }
  });
  voice.on("failure", ({ source, reason }) => say(`failure (${source}): ${reason}`));

  const ssrc = randomInt(1, 0xffffffff);
  const heard = new Map<string, { ok: number; failed: number }>();
  client.on("media", (userId, _ssrc, _codec, frame) => {
    const count = heard.get(userId) ?? { ok: 0, failed: 0 };
    heard.set(userId, count);
    if (voice.decrypt(userId, frame, "opus").ok) count.ok++;
    else count.failed++;
  });

  let sent = 0;
  let sentThisSecond = 0;
  let seconds = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const sender = setInterval(() => {
    if (!voice.ready) return;
    const out = voice.encrypt(randomBytes(60 + randomInt(61)), "opus", ssrc);
    if (!out.ok) return;
    client.sendMedia(ssrc, RelayCodec.opus, out.frame);
    sent++;
    sentThisSecond++;
    if (sent >= limit) done();
  }, FRAME_INTERVAL_MS);
  const reporter = setInterval(() => {
    seconds++;
    const from = [...heard]
      .map(([id, c]) => `${id} ${c.ok} ok${c.failed > 0 ? ` ${c.failed} failed` : ""}`)
      .join(", ");
    say(`[${seconds}s] sent ${sentThisSecond}; decrypted ${from || "nothing"}`);
    heard.clear();
    sentThisSecond = 0;
  }, 1000);
  const onSignal = () => done();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  let leaving = false;
  client.on("close", (code) => {
    if (!leaving) say(`the gateway closed the connection (${code})`);
    done();
  });

  await finished;
  clearInterval(sender);
  clearInterval(reporter);
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
  leaving = true;
  say(`leaving after ${sent} frames`);
  await client.close();
  voice.dispose();
}
