export {
  type ClientOptions,
  type ConversationSummary,
  type LoginOptions,
  type MemberDetails,
  ParleyClient,
} from "./client.js";
export { type ClientErrorCode, isClientError, ParleyClientError } from "./errors.js";
export type { ClientEvents, EventName, MemberInfo, MessageEvent } from "./events.js";
export { type DeviceAddress, deviceIdOf } from "./identity.js";
export type { PoolPolicy } from "./keyPackagePool.js";
export { MemoryStore } from "./storage/memoryStore.js";
export { SqliteStore } from "./storage/sqliteStore.js";
export type {
  ClientStore,
  ConversationRecord,
  ConversationStatus,
  DeviceRecord,
  HistoryRecord,
  KeyPackageRecord,
  OutboxRecord,
  PendingCommitRecord,
  StoreBatch,
} from "./storage/store.js";
export { HttpTransport, type HttpTransportOptions } from "./transport/httpTransport.js";
export type {
  CommitBundle,
  CommitOutcome,
  LogEntry,
  MessageOutcome,
  ServerEvent,
  Session,
  Transport,
  WelcomeEntry,
} from "./transport/transport.js";
export { verificationCode } from "./verificationCode.js";
