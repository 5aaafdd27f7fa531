export {
  type ClientOptions,
  type ConversationSummary,
  type LoginOptions,
  type MemberDetails,
  type OwnDevice,
  ParleyClient,
} from "./client.js";
export { type ClientErrorCode, isClientError, ParleyClientError } from "./errors.js";
export type {
  AddedMember,
  ClientEvents,
  ConnectionState,
  EventName,
  MemberInfo,
  MessageEvent,
  OutgoingEvent,
  OutgoingState,
  PendingMessage,
} from "./events.js";
export { type DeviceAddress, deviceIdOf, isValidUsername } from "./identity.js";
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
  AccountDevice,
  CommitBundle,
  CommitOutcome,
  LogEntry,
  MessageOutcome,
  ServerEvent,
  Session,
  Transport,
  WelcomeEntry,
  WelcomePage,
} from "./transport/transport.js";
export type { VerificationState } from "./trust/contacts.js";
export { verificationCode } from "./verificationCode.js";
