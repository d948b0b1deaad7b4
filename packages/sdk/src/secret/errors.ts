/** Why a secret-chat operation or an incoming secret update failed. */
export type SecretErrorCode =
  /** A message that could not be decrypted or authenticated (tampered, replayed, too old…). */
  | 'DECRYPT_FAILED'
  /** A commit of the group that could not be processed: this device may have to be re-added. */
  | 'COMMIT_FAILED'
  /** A Welcome naming this device that it could not join with. */
  | 'JOIN_FAILED'
  /** The server refused an acknowledgement (its copy then waits for its TTL). */
  | 'ACK_FAILED'
  /** The server's sender of a message is not the one MLS authenticated. */
  | 'SENDER_MISMATCH'
  /** No secret chat of that id on this device. */
  | 'NO_SUCH_CHAT'
  /** This device was removed from the chat: it can read its history but not send. */
  | 'CHAT_CLOSED'
  /** A user has no device that can join secret chats (none published an identity). */
  | 'NO_DEVICES'
  /** Not a member of this chat (a user to remove, verify…). */
  | 'NOT_IN_CHAT'
  /** The server no longer keeps this device's missed updates: its groups cannot be followed. */
  | 'TOO_FAR_BEHIND'
  /** The stored state belongs to another user or device, or cannot be read. */
  | 'STATE_MISMATCH'
  /** A commit kept meeting newer epochs and was given up. */
  | 'TOO_MANY_RETRIES';

/**
 * The error of `@tokki/sdk/secret`. Operations reject with it; failures no caller waits for
 * (an incoming message that does not decrypt) are emitted as its `error` event, and the updates
 * after it are still applied.
 *
 * @example secret.on('error', (e) => { if (e.code === 'DECRYPT_FAILED') warn(e.chatId) })
 */
export class SecretError extends Error {
  override name = 'SecretError';

  constructor(
    readonly code: SecretErrorCode,
    message: string,
    readonly details: { chatId?: string; seq?: number; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
  }

  get chatId(): string | undefined {
    return this.details.chatId;
  }
}
