import { ApiError, notFound, quotaExceeded } from "../errors.js";
import { type Db, one } from "./db.js";
import { logEvents, type NewEvent, type ServerEvent } from "./events.js";

export interface StoredMessage {
  readonly seq: number;
  readonly kind: "commit" | "application";
  readonly epoch: number;
  readonly senderDevice: string;
  readonly data: Uint8Array;
}

export interface CommitBundle {
  readonly epoch: number;
  readonly commit: Uint8Array;
  readonly groupInfo?: Uint8Array;
  readonly welcomes: { deviceIds: string[]; welcome: Uint8Array }[];
  readonly added: string[];
  readonly removed: string[];
}

/** One inbox entry; `welcome` is absent when it alone is larger than the page's byte budget. */
export interface InboxEntry {
  readonly id: number;
  readonly groupId: string;
  readonly size: number;
  readonly welcome?: Uint8Array;
}

export interface InboxPage {
  readonly entries: InboxEntry[];
  /** Entries remain after this page. */
  readonly more: boolean;
}

const bytes = (v: unknown) => new Uint8Array(v as Buffer);

function toMessage(row: Record<string, unknown>): StoredMessage {
  return {
    seq: Number(row.seq),
    kind: String(row.kind) as StoredMessage["kind"],
    epoch: Number(row.epoch),
    senderDevice: String(row.sender_device),
    data: bytes(row.data),
  };
}

/** Devices a commit adds or sends Welcomes to must exist (the rows reference them): else 400, nothing stored. */
async function requireDevices(tx: Db, deviceIds: readonly string[]): Promise<void> {
  const wanted = [...new Set(deviceIds)];
  for (let i = 0; i < wanted.length; i += 500) {
    const chunk = wanted.slice(i, i + 500);
    const found = await tx.all(
      `SELECT id FROM devices WHERE id IN (${chunk.map(() => "?").join(", ")})`,
      chunk,
    );
    if (found.length < chunk.length) {
      const known = new Set(found.map((r) => String(r.id)));
      const unknown = chunk.find((id) => !known.has(id));
      throw new ApiError(400, "unknown_device", `device ${unknown} is not registered`);
    }
  }
}

/** A Welcome goes to a device that is not a member, or that the same commit removes (its replaced leaf). */
async function requireNewMembers(tx: Db, groupId: string, bundle: CommitBundle): Promise<void> {
  const removed = new Set(bundle.removed);
  for (const deviceId of bundle.welcomes.flatMap((w) => w.deviceIds)) {
    if (removed.has(deviceId)) continue;
    const member = await one(
      tx,
      "SELECT 1 AS x FROM group_members WHERE group_id = ? AND device_id = ? AND removed_seq IS NULL",
      [groupId, deviceId],
    );
    if (member) throw new ApiError(400, "already_member", `device ${deviceId} is already a member`);
  }
}

/**
 * Groups and their ordered history. Each group has one counter, `next_seq`, bumped by the same UPDATE that
 * accepts a commit or a message: the row lock (PostgreSQL) or the single writer (SQLite) makes sequence numbers
 * dense and unique, and the `epoch = ?` condition admits exactly one commit per epoch.
 */
export class GroupStore {
  constructor(private readonly db: Db) {}

  /**
   * Register a group at epoch 0 (its creator's account may have created `maxGroups`); the creator's
   * `membership` event (seq 0) tells its other streams.
   */
  async create(
    groupId: string,
    creator: { deviceId: string; accountId: string },
    groupInfo?: Uint8Array,
    maxGroups = Number.POSITIVE_INFINITY,
  ): Promise<ServerEvent[]> {
    return this.db.transaction(async (tx) => {
      if (await one(tx, "SELECT 1 AS x FROM groups WHERE id = ?", [groupId])) {
        throw new ApiError(409, "group_exists", "a group with this id already exists");
      }
      const created = await one(tx, "SELECT COUNT(*) AS n FROM groups WHERE created_by = ?", [
        creator.accountId,
      ]);
      if (Number(created?.n) >= maxGroups) throw quotaExceeded("groups", maxGroups);
      await tx.run(
        "INSERT INTO groups (id, epoch, next_seq, group_info, created_at, created_by) VALUES (?, 0, 1, ?, ?, ?)",
        [groupId, groupInfo ?? null, Date.now(), creator.accountId],
      );
      await tx.run("INSERT INTO group_members (group_id, device_id, joined_seq) VALUES (?, ?, 0)", [
        groupId,
        creator.deviceId,
      ]);
      return logEvents(tx, [
        {
          type: "membership",
          groupId,
          seq: 0,
          data: { groupId, seq: 0, added: [creator.deviceId], removed: [] },
        },
      ]);
    });
  }

  /** The group as a current member sees it, or undefined (absent, or not a member: indistinguishable). */
  async forMember(
    groupId: string,
    deviceId: string,
  ): Promise<{ epoch: number; nextSeq: number } | undefined> {
    const row = await one(
      this.db,
      `SELECT g.epoch, g.next_seq FROM groups g JOIN group_members m ON m.group_id = g.id
       WHERE g.id = ? AND m.device_id = ? AND m.removed_seq IS NULL`,
      [groupId, deviceId],
    );
    return row && { epoch: Number(row.epoch), nextSeq: Number(row.next_seq) };
  }

  /**
   * Whether the account has a current member device in the group: only then may another of its devices read
   * the GroupInfo and join by external commit (a user's new device, or one that lost its state).
   */
  async accountIsMember(groupId: string, accountId: string): Promise<boolean> {
    const row = await one(
      this.db,
      `SELECT 1 AS x FROM group_members m JOIN devices d ON d.id = m.device_id
       WHERE m.group_id = ? AND d.account_id = ? AND m.removed_seq IS NULL`,
      [groupId, accountId],
    );
    return row !== undefined;
  }

  async groupInfo(groupId: string): Promise<Uint8Array | undefined> {
    const row = await one(this.db, "SELECT group_info FROM groups WHERE id = ?", [groupId]);
    return row?.group_info ? bytes(row.group_info) : undefined;
  }

  /** The group's current epoch, whoever asks (for a 409 answer); undefined if there is no such group. */
  async epoch(groupId: string): Promise<number | undefined> {
    const row = await one(this.db, "SELECT epoch FROM groups WHERE id = ?", [groupId]);
    return row ? Number(row.epoch) : undefined;
  }

  /** The username owning each registered, unrevoked device among `deviceIds` (unknown ones are absent). */
  async deviceOwners(deviceIds: readonly string[]): Promise<Map<string, string>> {
    const owners = new Map<string, string>();
    const wanted = [...new Set(deviceIds)];
    for (let i = 0; i < wanted.length; i += 500) {
      const chunk = wanted.slice(i, i + 500);
      const rows = await this.db.all(
        `SELECT d.id, a.username FROM devices d JOIN accounts a ON a.id = d.account_id
         WHERE d.revoked_at IS NULL AND d.id IN (${chunk.map(() => "?").join(", ")})`,
        chunk,
      );
      for (const row of rows) owners.set(String(row.id), String(row.username));
    }
    return owners;
  }

  /** Accept a commit bundle if its epoch is the group's: all of it, or (409) none of it. */
  async commit(
    groupId: string,
    sender: string,
    bundle: CommitBundle,
    maxGroupSize = Number.POSITIVE_INFINITY,
    pendingWelcomes = Number.POSITIVE_INFINITY,
  ): Promise<{ seq: number; epoch: number; events: ServerEvent[] }> {
    return this.db.transaction(async (tx) => {
      const size = await one(
        tx,
        "SELECT COUNT(*) AS n FROM group_members WHERE group_id = ? AND removed_seq IS NULL",
        [groupId],
      );
      if (Number(size?.n ?? 0) + bundle.added.length - bundle.removed.length > maxGroupSize) {
        throw new ApiError(400, "group_too_large", `a group may have at most ${maxGroupSize} member devices`);
      }
      await requireDevices(tx, [...bundle.added, ...bundle.welcomes.flatMap((w) => w.deviceIds)]);
      const fenced = await tx.all(
        "UPDATE groups SET epoch = epoch + 1, next_seq = next_seq + 1, group_info = COALESCE(?, group_info) WHERE id = ? AND epoch = ? RETURNING next_seq, epoch",
        [bundle.groupInfo ?? null, groupId, bundle.epoch],
      );
      const accepted = fenced[0];
      if (!accepted) {
        const current = await one(tx, "SELECT epoch FROM groups WHERE id = ?", [groupId]);
        throw new ApiError(
          409,
          "epoch_conflict",
          `commit for epoch ${bundle.epoch}; the group is at ${Number(current?.epoch)}`,
          {
            currentEpoch: Number(current?.epoch),
          },
        );
      }
      await requireNewMembers(tx, groupId, bundle); // after the fence: a replayed commit is a conflict
      const seq = Number(accepted.next_seq) - 1;
      const now = Date.now();
      await tx.run(
        "INSERT INTO messages (group_id, seq, kind, epoch, sender_device, data, created_at) VALUES (?, ?, 'commit', ?, ?, ?, ?)",
        [groupId, seq, bundle.epoch, sender, bundle.commit, now],
      );
      for (const deviceId of bundle.removed) {
        await tx.run(
          "UPDATE group_members SET removed_seq = ? WHERE group_id = ? AND device_id = ? AND removed_seq IS NULL",
          [seq, groupId, deviceId],
        );
      }
      for (const deviceId of bundle.added) {
        const exists = await one(
          tx,
          "SELECT removed_seq FROM group_members WHERE group_id = ? AND device_id = ?",
          [groupId, deviceId],
        );
        if (exists) {
          await tx.run(
            "UPDATE group_members SET removed_seq = NULL, joined_seq = ? WHERE group_id = ? AND device_id = ?",
            [seq, groupId, deviceId],
          );
        } else {
          await tx.run("INSERT INTO group_members (group_id, device_id, joined_seq) VALUES (?, ?, ?)", [
            groupId,
            deviceId,
            seq,
          ]);
        }
      }
      const epoch = Number(accepted.epoch);
      const events: NewEvent[] = [{ type: "group_update", groupId, seq, data: { groupId, seq, epoch } }];
      if (bundle.added.length > 0 || bundle.removed.length > 0) {
        events.push({
          type: "membership",
          groupId,
          seq,
          data: { groupId, seq, added: bundle.added, removed: bundle.removed },
        });
      }
      for (const { deviceIds, welcome } of bundle.welcomes) {
        events.push(...(await storeWelcome(tx, groupId, deviceIds, welcome, now, pendingWelcomes)));
      }
      return { seq, epoch, events: await logEvents(tx, events) };
    });
  }

  /**
   * Append an application message. A retried post with the same idempotency key returns the original result;
   * messages older than `pastEpochs` epochs are refused.
   */
  async post(
    groupId: string,
    sender: string,
    message: { epoch: number; data: Uint8Array; idempotencyKey?: string },
    pastEpochs: number,
  ): Promise<{ seq: number; duplicate: boolean; events: ServerEvent[] }> {
    try {
      return await this.append(groupId, sender, message, pastEpochs);
    } catch (err) {
      // Two concurrent retries with one key: the unique index lets one in; the other returns its result.
      if ((err as { code?: string }).code === "23505" || /UNIQUE constraint/.test(String(err))) {
        const earlier = await one(
          this.db,
          "SELECT seq FROM messages WHERE group_id = ? AND sender_device = ? AND idempotency_key = ?",
          [groupId, sender, message.idempotencyKey ?? null],
        );
        if (earlier) return { seq: Number(earlier.seq), duplicate: true, events: [] };
      }
      throw err;
    }
  }

  private append(
    groupId: string,
    sender: string,
    message: { epoch: number; data: Uint8Array; idempotencyKey?: string },
    pastEpochs: number,
  ): Promise<{ seq: number; duplicate: boolean; events: ServerEvent[] }> {
    return this.db.transaction(async (tx) => {
      const isMember = async () =>
        (await one(
          tx,
          "SELECT 1 AS x FROM group_members WHERE group_id = ? AND device_id = ? AND removed_seq IS NULL",
          [groupId, sender],
        )) !== undefined;
      if (message.idempotencyKey !== undefined) {
        if (!(await isMember())) throw notFound("group");
        const earlier = await one(
          tx,
          "SELECT seq FROM messages WHERE group_id = ? AND sender_device = ? AND idempotency_key = ?",
          [groupId, sender, message.idempotencyKey],
        );
        if (earlier) return { seq: Number(earlier.seq), duplicate: true, events: [] };
      }
      // Membership is checked by the UPDATE that appends: a device removed by a commit committed before this
      // one cannot post after its removal, and the common case costs one statement.
      const rows = await tx.all(
        `UPDATE groups SET next_seq = next_seq + 1 WHERE id = ? AND epoch >= ? AND epoch <= ? AND EXISTS (
           SELECT 1 FROM group_members m WHERE m.group_id = groups.id AND m.device_id = ? AND m.removed_seq IS NULL)
         RETURNING next_seq, epoch`,
        [groupId, message.epoch, message.epoch + pastEpochs, sender],
      );
      const bumped = rows[0];
      if (!bumped) {
        if (!(await isMember())) throw notFound("group");
        const current = await one(tx, "SELECT epoch FROM groups WHERE id = ?", [groupId]);
        throw new ApiError(
          409,
          "wrong_epoch",
          `message for epoch ${message.epoch}; the group is at ${Number(current?.epoch)}`,
          {
            currentEpoch: Number(current?.epoch),
          },
        );
      }
      const seq = Number(bumped.next_seq) - 1;
      await tx.run(
        "INSERT INTO messages (group_id, seq, kind, epoch, sender_device, data, idempotency_key, created_at) VALUES (?, ?, 'application', ?, ?, ?, ?, ?)",
        [groupId, seq, message.epoch, sender, message.data, message.idempotencyKey ?? null, Date.now()],
      );
      const events = await logEvents(tx, [
        { type: "message", groupId, seq, data: { groupId, seq, epoch: message.epoch, sender } },
      ]);
      return { seq, duplicate: false, events };
    });
  }

  /**
   * Messages after `after`, up to `limit`, that this device may read: from when it joined until it was
   * removed (a removed device sees nothing after its removal).
   */
  async messages(
    groupId: string,
    deviceId: string,
    after: number,
    limit: number,
  ): Promise<StoredMessage[] | undefined> {
    const member = await one(
      this.db,
      "SELECT joined_seq, removed_seq FROM group_members WHERE group_id = ? AND device_id = ?",
      [groupId, deviceId],
    );
    if (!member || member.removed_seq !== null) return undefined;
    const rows = await this.db.all(
      "SELECT seq, kind, epoch, sender_device, data FROM messages WHERE group_id = ? AND seq > ? AND seq > ? ORDER BY seq LIMIT ?",
      [groupId, after, Number(member.joined_seq), limit],
    );
    return rows.map(toMessage);
  }

  /**
   * The device's Welcomes after `after`, at most `limit` and `maxBytes` of Welcome bytes (an entry larger than
   * that alone comes without its bytes, to be skipped). Fetching after an entry acknowledges it: it is deleted.
   */
  async inbox(deviceId: string, after: number, limit: number, maxBytes: number): Promise<InboxPage> {
    await this.db.transaction(async (tx) => {
      const done = await tx.all("SELECT welcome_id FROM inbox WHERE device_id = ? AND id <= ?", [
        deviceId,
        after,
      ]);
      if (done.length === 0) return;
      await tx.run("DELETE FROM inbox WHERE device_id = ? AND id <= ?", [deviceId, after]);
      for (const id of new Set(done.map((r) => r.welcome_id).filter((v) => v !== null))) {
        await tx.run(
          "DELETE FROM welcomes WHERE id = ? AND NOT EXISTS (SELECT 1 FROM inbox WHERE welcome_id = ?)",
          [Number(id), Number(id)],
        );
      }
    });
    const rows = await this.db.all(
      `SELECT i.id, i.group_id, LENGTH(COALESCE(w.data, i.data)) AS size FROM inbox i
       LEFT JOIN welcomes w ON w.id = i.welcome_id WHERE i.device_id = ? AND i.id > ? ORDER BY i.id LIMIT ?`,
      [deviceId, after, limit + 1],
    );
    const entries: InboxEntry[] = [];
    let budget = maxBytes;
    for (const row of rows.slice(0, limit)) {
      const entry = { id: Number(row.id), groupId: String(row.group_id), size: Number(row.size) };
      if (entry.size > budget) {
        if (entries.length === 0) entries.push(entry); // too large for any page: the client skips it
        break;
      }
      budget -= entry.size;
      const data = await one(
        this.db,
        "SELECT COALESCE(w.data, i.data) AS data FROM inbox i LEFT JOIN welcomes w ON w.id = i.welcome_id WHERE i.id = ?",
        [entry.id],
      );
      entries.push({ ...entry, welcome: bytes(data?.data) });
    }
    const last = entries.at(-1);
    return { entries, more: last !== undefined && rows.some((r) => Number(r.id) > last.id) };
  }
}

/**
 * Store a Welcome once, with an inbox row for each recipient. Each recipient's inbox must have room, else
 * nothing of the commit is stored.
 */
async function storeWelcome(
  tx: Db,
  groupId: string,
  deviceIds: readonly string[],
  welcome: Uint8Array,
  now: number,
  pendingWelcomes: number,
): Promise<NewEvent[]> {
  const [stored] = await tx.all(
    "INSERT INTO welcomes (group_id, data, created_at) VALUES (?, ?, ?) RETURNING id",
    [groupId, welcome, now],
  );
  const welcomeId = Number(stored?.id);
  const events: NewEvent[] = [];
  for (const deviceId of deviceIds) {
    const pending = await one(tx, "SELECT COUNT(*) AS n FROM inbox WHERE device_id = ?", [deviceId]);
    if (Number(pending?.n) >= pendingWelcomes) {
      throw new ApiError(
        429,
        "inbox_full",
        `device ${deviceId} has ${pendingWelcomes} Welcomes it has not fetched; try again later`,
      );
    }
    const [row] = await tx.all(
      "INSERT INTO inbox (device_id, group_id, data, welcome_id, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
      [deviceId, groupId, new Uint8Array(0), welcomeId, now],
    );
    events.push({ type: "welcome", deviceId, data: { groupId, welcomeId: Number(row?.id) } });
  }
  return events;
}
