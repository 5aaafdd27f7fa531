import type { Db, Row } from "./db.js";

/** A server-sent event: for a group's members (`groupId`, at `seq`) or for one device (`deviceId`). */
export interface ServerEvent {
  readonly id: number;
  readonly type: "message" | "group_update" | "membership" | "welcome";
  readonly groupId?: string;
  readonly seq?: number;
  readonly deviceId?: string;
  readonly data: Record<string, unknown>;
}

export interface NewEvent {
  readonly type: ServerEvent["type"];
  readonly groupId?: string;
  readonly seq?: number;
  readonly deviceId?: string;
  readonly data: Record<string, unknown>;
}

/** Append events inside the transaction that makes them true; their ids order every device's stream. */
export async function logEvents(tx: Db, events: NewEvent[]): Promise<ServerEvent[]> {
  const logged: ServerEvent[] = [];
  for (const e of events) {
    const [row] = await tx.all(
      "INSERT INTO event_log (group_id, seq, device_id, type, payload, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
      [e.groupId ?? null, e.seq ?? null, e.deviceId ?? null, e.type, JSON.stringify(e.data), Date.now()],
    );
    logged.push({ ...e, id: Number(row?.id) });
  }
  return logged;
}

/**
 * A device's events after `afterId`: its own (Welcomes) and those of groups it belongs to, from its joining
 * through its removal (it learns of its own removal, then nothing more).
 */
export async function eventsFor(
  db: Db,
  deviceId: string,
  afterId: number,
  limit: number,
): Promise<ServerEvent[]> {
  const rows = await db.all(
    `SELECT e.id, e.type, e.group_id, e.seq, e.device_id, e.payload FROM event_log e
     WHERE e.id > ? AND (
       e.device_id = ? OR EXISTS (
         SELECT 1 FROM group_members m WHERE m.group_id = e.group_id AND m.device_id = ?
           AND e.seq >= m.joined_seq AND (m.removed_seq IS NULL OR e.seq <= m.removed_seq)))
     ORDER BY e.id LIMIT ?`,
    [afterId, deviceId, deviceId, limit],
  );
  return rows.map(eventFromRow);
}

/** An event from its event_log row (id, type, group_id, seq, device_id, payload). */
export function eventFromRow(r: Row): ServerEvent {
  return {
    id: Number(r.id),
    type: String(r.type) as ServerEvent["type"],
    ...(r.group_id !== null ? { groupId: String(r.group_id) } : {}),
    ...(r.seq !== null ? { seq: Number(r.seq) } : {}),
    ...(r.device_id !== null ? { deviceId: String(r.device_id) } : {}),
    data: JSON.parse(String(r.payload)) as Record<string, unknown>,
  };
}
