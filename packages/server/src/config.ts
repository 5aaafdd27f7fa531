/** Server settings with embedded defaults; `parley server` and the tests override what they need. */
export interface ServerConfig {
  port: number;
  host: string;
  /** SQLite file, used unless `databaseUrl` is set. */
  sqlitePath: string;
  /** PostgreSQL connection string (`PARLEY_DATABASE_URL`). */
  databaseUrl?: string;
  /** PostgreSQL schema (isolates test runs). */
  databaseSchema?: string;
  /** Registration requires this token when set. */
  registrationToken?: string;
  tokenLifetimeMs: number;
  /** The clock limits and session expiry read (Date.now unless a test injects one). */
  now?: () => number;
  limits: {
    bodyBytes: number;
    keyPackageBytes: number;
    keyPackagesPerUpload: number;
    /** Application messages are accepted for the current epoch and this many before it. */
    pastEpochs: number;
    /** Unsent SSE bytes a slow client may accumulate before it is told it lagged. */
    sseBacklogBytes: number;
    /** Events a resuming SSE client may be behind; further back, it is told it lagged and fetches instead. */
    sseReplayEvents: number;
    /** Messages, events and Welcomes older than this are deleted (0 keeps everything). */
    retentionMs: number;
    /** Requests per minute per authenticated device (429 beyond; a burst may use the whole minute's). */
    requestsPerMinute: number;
    /** Requests per minute per client address without a valid token: anonymous routes and bad tokens. */
    anonymousRequestsPerMinute: number;
    /** Failed password checks a username may have before it backs off (login and password change). */
    loginFreeFailuresPerAccount: number;
    /** Failed password checks and registrations a client address may have before it backs off. */
    loginFreeFailuresPerAddress: number;
    /** The first back-off, doubling with every further failure… */
    loginBackoffMs: number;
    /** …up to this. */
    loginBackoffMaxMs: number;
    /** Failures are forgotten this long after a username's or address's last one. */
    loginFailureMemoryMs: number;
    /** Registration attempts per client address per hour (each costs a password hash). */
    registrationsPerAddressPerHour: number;
    /** Live (unrevoked) devices an account may have; a login with a new signature key beyond is 403. */
    devicesPerAccount: number;
    /** Unclaimed one-time key packages an account's devices may hold together. */
    keyPackagesPerAccount: number;
    /** Groups an account may create. */
    groupsPerAccount: number;
    /** Claims one account may make of one user's key packages per hour (bursts of this many, then refilled). */
    claimsPerPairPerHour: number;
    /** Claims one account may make per hour, of all users. */
    claimsPerClaimerPerHour: number;
    /** Claims of one user's key packages per hour, by all accounts. */
    claimsPerTargetPerHour: number;
    /** Times per hour a device's last-resort package is handed out (only once no one-time package is left). */
    lastResortClaimsPerHour: number;
    /** A client must send a request's headers within this… */
    headersTimeoutMs: number;
    /** …and all of it, body included, within this (else 408 and the connection closes). */
    requestTimeoutMs: number;
    /** An idle keep-alive connection is closed after this. */
    keepAliveTimeoutMs: number;
    /** Open connections (event streams included); further ones are dropped. */
    maxConnections: number;
    /** Keys each in-memory limiter keeps (least recently used forgotten first), so its memory is fixed. */
    limiterEntries: number;
    /** Member devices a group may have. */
    maxGroupSize: number;
    /** Largest Welcome a commit may carry (413 beyond). */
    welcomeBytes: number;
    /** Welcomes a device's inbox may hold that it has not fetched past; a commit beyond is refused (429). */
    pendingWelcomesPerDevice: number;
  };
  /** Ciphersuites the server accepts key packages for. */
  ciphersuites: number[];
  logLevel: string;
}

export const DEFAULT_CONFIG: ServerConfig = {
  port: 8080,
  host: "127.0.0.1",
  sqlitePath: "./data/parley.db",
  tokenLifetimeMs: 30 * 24 * 3600 * 1000,
  limits: {
    bodyBytes: 1024 * 1024,
    keyPackageBytes: 16 * 1024,
    keyPackagesPerUpload: 200,
    pastEpochs: 2,
    sseBacklogBytes: 1024 * 1024,
    sseReplayEvents: 10_000,
    retentionMs: 90 * 24 * 3600 * 1000,
    requestsPerMinute: 60_000,
    anonymousRequestsPerMinute: 600,
    loginFreeFailuresPerAccount: 5,
    loginFreeFailuresPerAddress: 20,
    loginBackoffMs: 1000,
    loginBackoffMaxMs: 15 * 60_000,
    loginFailureMemoryMs: 3600_000,
    registrationsPerAddressPerHour: 100,
    devicesPerAccount: 20,
    keyPackagesPerAccount: 1000,
    groupsPerAccount: 1000,
    claimsPerPairPerHour: 10,
    claimsPerClaimerPerHour: 200,
    claimsPerTargetPerHour: 100,
    lastResortClaimsPerHour: 10,
    headersTimeoutMs: 10_000,
    requestTimeoutMs: 30_000,
    keepAliveTimeoutMs: 5_000,
    maxConnections: 10_000,
    limiterEntries: 100_000,
    maxGroupSize: 10_000,
    welcomeBytes: 256 * 1024,
    pendingWelcomesPerDevice: 64,
  },
  ciphersuites: [1, 2, 3, 4, 5, 6, 7],
  logLevel: "info",
};
