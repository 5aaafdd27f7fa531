import { isClientError, type ParleyClient, type ParleyClientError } from "@parley/client";
import {
  connectionLine,
  joinedLine,
  leftLine,
  membershipLines,
  type NoticeContext,
  ownDevicesLines,
  ownMessageLine,
  renamedLine,
} from "./chatNotices.js";
import type { ChatView } from "./chatView.js";
import { CliError } from "./errors.js";
import { toCliError } from "./failure.js";

const RECENT = 10;

/**
 * One `parley chat`: the open conversation, what is printed for each client event, and sending. Messages are
 * echoed once their state is known: sent, pending (kept and retried in order), or failed.
 */
export class ChatSession implements NoticeContext {
  private currentId: string | undefined;
  private readonly sends = new Set<Promise<unknown>>();
  /** Failures already printed from their `outgoing` event, so the rejected send does not print them again. */
  private readonly told = new WeakSet<ParleyClientError>();

  constructor(
    readonly client: ParleyClient,
    readonly view: ChatView,
  ) {}

  get current(): string | undefined {
    return this.currentId;
  }

  label(conversationId: string): string {
    const c = this.client.conversationList().find((x) => x.id === conversationId);
    return c?.name ? c.name : `${conversationId.slice(0, 8)}…`;
  }

  print(text: string, at?: number): void {
    this.view.print(text, at);
  }

  /** The open conversation, or a hint on how to open one. */
  requireOpen(): string {
    if (!this.currentId) throw new CliError("no conversation open: /list, /open N or /new NAME [USER...]");
    return this.currentId;
  }

  /** Switch to a conversation (or none) and show its recent lines. */
  async open(id: string | undefined): Promise<void> {
    if (id !== undefined && id === this.currentId) return; // e.g. /new after its `joined` opened it
    this.currentId = id;
    this.refreshPrompt();
    if (id) await this.showRecent(id);
  }

  refreshPrompt(): void {
    this.view.setPrompt(this.currentId ? `${this.label(this.currentId)}> ` : "> ");
  }

  /** Send to the open conversation without holding up the input: the outcome is printed when known. */
  send(text: string): void {
    const id = this.requireOpen();
    const sending = this.client
      .send(id, text)
      .catch((err: unknown) => {
        if (isClientError(err) && err.details.queued)
          this.print(ownMessageLine(this.client.username, text, "pending"));
        else if (!(isClientError(err) && this.told.has(err))) this.print(`! ${toCliError(err).message}`);
      })
      .finally(() => this.sends.delete(sending));
    this.sends.add(sending);
  }

  /** Wait for the sends still in flight (before closing the client). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.sends]);
  }

  /** Print every event the client reports, as it happens. */
  listen(): void {
    const c = this.client;
    c.on("message", (m) =>
      this.print(`${this.where(m.conversationId)}${m.sender.username}: ${m.text}`, m.sentAt),
    );
    c.on("outgoing", (o) => {
      if (o.state === "pending") return; // told when the send settles, if it stays pending
      if (o.error) this.told.add(o.error);
      this.print(
        `${this.where(o.conversationId)}${ownMessageLine(c.username, o.text, o.state, o.error)}`,
        o.sentAt,
      );
    });
    c.on("membership", (e) => {
      for (const line of membershipLines(this, e)) this.print(`* ${this.where(e.conversationId)}${line}`);
    });
    c.on("renamed", (e) => {
      this.print(`* ${this.where(e.conversationId)}${renamedLine(this, e)}`);
      this.refreshPrompt();
    });
    c.on("joined", (e) => {
      this.print(joinedLine(this, e));
      // The first conversation to appear opens.
      if (!this.currentId) this.open(e.conversationId).catch((err: Error) => this.print(`! ${err.message}`));
    });
    c.on("left", (e) => {
      this.print(leftLine(this, e));
      if (this.currentId === e.conversationId) void this.open(undefined);
    });
    c.on("connection", (e) => this.print(connectionLine(e)));
    c.on("ownDevices", (e) => void this.tellOwnDevices(e));
    c.on("error", (e) => this.print(`! ${e.error.code}: ${e.error.message}`));
  }

  /** Who is on, then the first active conversation with its recent lines (all from the store: works offline). */
  async greet(): Promise<void> {
    const c = this.client;
    this.print(`${c.username} on device ${c.deviceId.slice(0, 12)} — /help lists the commands`);
    await this.open(c.conversationList().find((x) => x.status === "active")?.id);
  }

  private async showRecent(id: string): Promise<void> {
    const lines = await this.client.history(id, { limit: RECENT });
    this.print(
      `* ${JSON.stringify(this.label(id))}: ${lines.length ? "recent messages" : "no messages yet"}`,
    );
    for (const h of lines) this.print(`${h.username}: ${h.text}`, h.sentAt);
    for (const p of this.client.pendingMessages(id))
      this.print(ownMessageLine(this.client.username, p.text, "pending"), p.sentAt);
  }

  private where(conversationId: string): string {
    return conversationId === this.currentId ? "" : `[${this.label(conversationId)}] `;
  }

  private async tellOwnDevices(e: { added: string[]; removed: string[] }): Promise<void> {
    const codes = new Map<string, string>();
    try {
      for (const d of await this.client.devices()) codes.set(d.deviceId, d.verificationCode);
    } catch {
      // Without the codes the warning still stands.
    }
    for (const line of ownDevicesLines(e, codes)) this.print(line);
  }
}
