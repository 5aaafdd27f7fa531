import { randomUUID } from "node:crypto";
import { ApiError, quotaExceeded } from "../errors.js";
import { type Db, one } from "./db.js";

export interface Session {
  readonly accountId: string;
  readonly deviceId: string;
  readonly expiresAt: number;
}

const bytes = (v: unknown) => new Uint8Array(v as Buffer);

/**
 * Parley's storage: every query the server makes, in SQL both SQLite and PostgreSQL run. Multi-step changes
 * run in one transaction, so a crash leaves either all of a change or none of it.
 */
export class Store {
  constructor(readonly db: Db) {}

  async createAccount(username: string, passwordHash: string): Promise<string> {
    const id = randomUUID();
    return this.db.transaction(async (tx) => {
      if (await one(tx, "SELECT 1 AS x FROM accounts WHERE username = ?", [username])) {
        throw new ApiError(409, "username_taken", "that username is already registered");
      }
      await tx.run("INSERT INTO accounts (id, username, password_hash, created_at) VALUES (?, ?, ?, ?)", [
        id,
        username,
        passwordHash,
        Date.now(),
      ]);
      return id;
    });
  }

  async account(username: string): Promise<{ id: string; passwordHash: string } | undefined> {
    const row = await one(this.db, "SELECT id, password_hash FROM accounts WHERE username = ?", [username]);
    return row && { id: String(row.id), passwordHash: String(row.password_hash) };
  }

  async credentials(accountId: string): Promise<{ username: string; passwordHash: string } | undefined> {
    const row = await one(this.db, "SELECT username, password_hash FROM accounts WHERE id = ?", [accountId]);
    return row && { username: String(row.username), passwordHash: String(row.password_hash) };
  }

  /** A new password; every other session of the account is signed out. */
  async changePassword(accountId: string, passwordHash: string, keepTokenHash: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.run("UPDATE accounts SET password_hash = ? WHERE id = ?", [passwordHash, accountId]);
      await tx.run("DELETE FROM sessions WHERE account_id = ? AND token_hash <> ?", [
        accountId,
        keepTokenHash,
      ]);
    });
  }

  /**
   * Register the device (first login with this signature key; the account may have `maxDevices` live ones)
   * and open a session for it.
   */
  async openSession(
    accountId: string,
    device: { id: string; signatureKey: Uint8Array },
    tokenHash: string,
    expiresAt: number,
    maxDevices = Number.POSITIVE_INFINITY,
  ): Promise<void> {
    await this.db.transaction(async (tx) => {
      const existing = await one(tx, "SELECT account_id, revoked_at FROM devices WHERE id = ?", [device.id]);
      if (existing && String(existing.account_id) !== accountId) {
        throw new ApiError(409, "device_taken", "this signature key belongs to another account");
      }
      if (existing && existing.revoked_at !== null) {
        throw new ApiError(403, "device_revoked", "this device was revoked; register a new signature key");
      }
      if (!existing) {
        const live = await one(
          tx,
          "SELECT COUNT(*) AS n FROM devices WHERE account_id = ? AND revoked_at IS NULL",
          [accountId],
        );
        if (Number(live?.n) >= maxDevices) throw quotaExceeded("devices", maxDevices);
        await tx.run("INSERT INTO devices (id, account_id, signature_key, created_at) VALUES (?, ?, ?, ?)", [
          device.id,
          accountId,
          device.signatureKey,
          Date.now(),
        ]);
      }
      await tx.run(
        "INSERT INTO sessions (token_hash, device_id, account_id, expires_at) VALUES (?, ?, ?, ?)",
        [tokenHash, device.id, accountId, expiresAt],
      );
    });
  }

  async session(tokenHash: string, now: number): Promise<Session | undefined> {
    const row = await one(
      this.db,
      `SELECT s.account_id, s.device_id, s.expires_at FROM sessions s JOIN devices d ON d.id = s.device_id
       WHERE s.token_hash = ? AND s.expires_at > ? AND d.revoked_at IS NULL`,
      [tokenHash, now],
    );
    return (
      row && {
        accountId: String(row.account_id),
        deviceId: String(row.device_id),
        expiresAt: Number(row.expires_at),
      }
    );
  }

  async closeSession(tokenHash: string): Promise<void> {
    await this.db.run("DELETE FROM sessions WHERE token_hash = ?", [tokenHash]);
  }

  /** The account's devices, oldest first. */
  async devices(
    accountId: string,
  ): Promise<{ id: string; signatureKey: Uint8Array; createdAt: number; revokedAt: number | null }[]> {
    const rows = await this.db.all(
      "SELECT id, signature_key, created_at, revoked_at FROM devices WHERE account_id = ? ORDER BY created_at, id",
      [accountId],
    );
    return rows.map((r) => ({
      id: String(r.id),
      signatureKey: bytes(r.signature_key),
      createdAt: Number(r.created_at),
      revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
    }));
  }

  /**
   * Revoke one of the account's devices: its sessions end, its unclaimed key packages are withdrawn, and it can
   * never log in again. Its MLS leaves stay until a member commits their removal. False if no such device.
   */
  async revokeDevice(accountId: string, deviceId: string, now: number): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const revoked = await tx.run(
        "UPDATE devices SET revoked_at = ? WHERE id = ? AND account_id = ? AND revoked_at IS NULL",
        [now, deviceId, accountId],
      );
      if (revoked.changes === 0) return false;
      await tx.run("DELETE FROM sessions WHERE device_id = ?", [deviceId]);
      await tx.run("DELETE FROM key_packages WHERE device_id = ? AND claimed = 0", [deviceId]);
      return true;
    });
  }

  async deviceSignatureKey(deviceId: string): Promise<Uint8Array | undefined> {
    const row = await one(this.db, "SELECT signature_key FROM devices WHERE id = ?", [deviceId]);
    return row && bytes(row.signature_key);
  }

  /**
   * Store regular key packages and (replacing the previous one) a last-resort package; the account's devices
   * may hold `maxHeld` unclaimed regular ones together.
   */
  async addKeyPackages(
    deviceId: string,
    packages: { ref: Uint8Array; data: Uint8Array }[],
    lastResort?: { ref: Uint8Array; data: Uint8Array },
    maxHeld = Number.POSITIVE_INFINITY,
  ): Promise<void> {
    await this.db.transaction(async (tx) => {
      const held = await one(
        tx,
        `SELECT COUNT(*) AS n FROM key_packages k JOIN devices d ON d.id = k.device_id
         WHERE d.account_id = (SELECT account_id FROM devices WHERE id = ?) AND k.claimed = 0 AND k.last_resort = 0`,
        [deviceId],
      );
      if (Number(held?.n) + packages.length > maxHeld) throw quotaExceeded("key packages", maxHeld);
      for (const p of packages) {
        await tx.run("INSERT INTO key_packages (device_id, ref, data, last_resort) VALUES (?, ?, ?, 0)", [
          deviceId,
          p.ref,
          p.data,
        ]);
      }
      if (lastResort) {
        await tx.run("DELETE FROM key_packages WHERE device_id = ? AND last_resort = 1", [deviceId]);
        await tx.run("INSERT INTO key_packages (device_id, ref, data, last_resort) VALUES (?, ?, ?, 1)", [
          deviceId,
          lastResort.ref,
          lastResort.data,
        ]);
      }
    });
  }

  async keyPackageCount(deviceId: string): Promise<{ available: number; lastResort: boolean }> {
    const rows = await this.db.all(
      "SELECT last_resort, COUNT(*) AS n FROM key_packages WHERE device_id = ? AND claimed = 0 GROUP BY last_resort",
      [deviceId],
    );
    const count = (lastResort: number) =>
      Number(rows.find((r) => Number(r.last_resort) === lastResort)?.n ?? 0);
    return { available: count(0), lastResort: count(1) > 0 };
  }

  /**
   * One key package for each live device of a user: a regular one, claimed atomically (the `claimed = 0`
   * re-check makes two concurrent claims of the same row leave one of them empty-handed, which then takes
   * the next), or the never-consumed last-resort package when none is left and `mayHandOutLastResort` allows
   * (else the device is listed as withheld).
   */
  async claimKeyPackages(
    username: string,
    mayHandOutLastResort: (deviceId: string) => boolean = () => true,
  ): Promise<{ claimed: { deviceId: string; keyPackage: Uint8Array }[]; withheld: string[] } | undefined> {
    const account = await one(this.db, "SELECT id FROM accounts WHERE username = ?", [username]);
    if (!account) return undefined;
    const devices = await this.db.all(
      "SELECT id FROM devices WHERE account_id = ? AND revoked_at IS NULL ORDER BY created_at, id",
      [String(account.id)],
    );
    const claimed: { deviceId: string; keyPackage: Uint8Array }[] = [];
    const withheld: string[] = [];
    for (const device of devices) {
      const deviceId = String(device.id);
      let data: Uint8Array | undefined;
      for (let attempt = 0; attempt < 5 && data === undefined; attempt++) {
        const rows = await this.db.all(
          `UPDATE key_packages SET claimed = 1 WHERE claimed = 0 AND id = (
             SELECT id FROM key_packages WHERE device_id = ? AND last_resort = 0 AND claimed = 0 ORDER BY id LIMIT 1
           ) RETURNING data`,
          [deviceId],
        );
        if (rows[0]) data = bytes(rows[0].data);
        else if (
          !(await one(
            this.db,
            "SELECT 1 AS x FROM key_packages WHERE device_id = ? AND last_resort = 0 AND claimed = 0",
            [deviceId],
          ))
        )
          break;
      }
      if (data === undefined) {
        const lastResort = await one(
          this.db,
          "SELECT data FROM key_packages WHERE device_id = ? AND last_resort = 1",
          [deviceId],
        );
        if (lastResort && mayHandOutLastResort(deviceId)) data = bytes(lastResort.data);
        else if (lastResort) withheld.push(deviceId);
      }
      if (data !== undefined) claimed.push({ deviceId, keyPackage: data });
    }
    return { claimed, withheld };
  }
}
