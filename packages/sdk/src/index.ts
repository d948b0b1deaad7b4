export { TokkiClient } from './client.js';
export type {
  CallOptions,
  SendMessageOptions,
  SignInParams,
  TokkiClientOptions,
} from './client.js';
export { TokkiError, isConnectionError, isRetryable } from './errors.js';
export type { TokkiErrorOptions } from './errors.js';
export type { ClientEvents, ConnectionState } from './realtime.js';
export { Emitter } from './emitter.js';
export type { Listener } from './emitter.js';
export { backoffDelay, DEFAULT_BACKOFF } from './backoff.js';
export type { BackoffOptions } from './backoff.js';
export { newClientMsgId, retryUntilDone } from './messages.js';
export type { RetryOptions } from './messages.js';
export { PtsCursor } from './pts.js';
// Plain helpers for secret chats' timers; the secret-chat client itself is `@tokki/sdk/secret`.
export {
  isSecretTimer,
  parseSecretTimer,
  SECRET_TIMER_LABELS,
  secretTimerLabel,
} from './secret/timer.js';
export {
  asTombstone,
  findMessage,
  findMessageIndex,
  mergeMessages,
  reactionOf,
  unreadCounter,
  withinEditWindow,
  withReaction,
} from './cache.js';
export type { WebSocketConstructor, WebSocketLike } from './websocket.js';
export type {
  ConnectResult,
  ErrorCode,
  Event,
  MethodName,
  MethodParams,
  MethodResult,
  Update,
  UpdateEnvelope,
} from '@tokki/protocol';
