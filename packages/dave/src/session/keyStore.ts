import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** A P-256 signature key pair as DAVE persists it (libdave's persisted keys keyed by authSessionId). */
export interface StoredKeyPair {
  readonly publicKey: Uint8Array;
  readonly privateKey: Uint8Array;
}

/**
 * Where a `Session` keeps its signature key between sessions, so that pairwise fingerprints stay stable for a
 * given `authSessionId`. Implementations must keep private keys out of logs.
 */
export interface KeyStore {
  load(authSessionId: string): Promise<StoredKeyPair | undefined>;
  save(authSessionId: string, keyPair: StoredKeyPair): Promise<void>;
}

export class MemoryKeyStore implements KeyStore {
  private readonly keys = new Map<string, StoredKeyPair>();

  async load(authSessionId: string): Promise<StoredKeyPair | undefined> {
    return this.keys.get(authSessionId);
  }

  async save(authSessionId: string, keyPair: StoredKeyPair): Promise<void> {
    this.keys.set(authSessionId, keyPair);
  }
}

/** Session ids are opaque strings; hex-encode them so any id is a safe file name. */
const hexFileName = (authSessionId: string) => `${Buffer.from(authSessionId).toString("hex")}.json`;

/**
 * One JSON file per session id in a directory the caller names, written atomically (temp file + rename) and
 * readable by its owner only. `fileName` picks each id's file; a constant one makes a single identity file.
 */
export class FileKeyStore implements KeyStore {
  constructor(
    private readonly directory: string,
    private readonly fileName: (authSessionId: string) => string = hexFileName,
  ) {}

  async load(authSessionId: string): Promise<StoredKeyPair | undefined> {
    let text: string;
    try {
      text = await readFile(this.fileFor(authSessionId), "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw err;
    }
    const parsed = JSON.parse(text) as { publicKey?: unknown; privateKey?: unknown };
    if (typeof parsed.publicKey !== "string" || typeof parsed.privateKey !== "string") {
      throw new Error(`key file for session ${JSON.stringify(authSessionId)} is not a DAVE key pair`);
    }
    return {
      publicKey: new Uint8Array(Buffer.from(parsed.publicKey, "base64")),
      privateKey: new Uint8Array(Buffer.from(parsed.privateKey, "base64")),
    };
  }

  async save(authSessionId: string, keyPair: StoredKeyPair): Promise<void> {
    await mkdir(this.directory, { recursive: true, mode: 0o700 });
    const file = this.fileFor(authSessionId);
    const body = JSON.stringify({
      publicKey: Buffer.from(keyPair.publicKey).toString("base64"),
      privateKey: Buffer.from(keyPair.privateKey).toString("base64"),
    });
    await writeFile(`${file}.tmp`, body, { mode: 0o600 });
    await rename(`${file}.tmp`, file);
  }

  private fileFor(authSessionId: string): string {
    return join(this.directory, this.fileName(authSessionId));
  }
}
