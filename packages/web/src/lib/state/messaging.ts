import type { Message, Reaction } from '@tokki/protocol';
import {
  asTombstone,
  findMessageIndex,
  isConnectionError,
  newClientMsgId,
  reactionOf,
  TokkiError,
  withReaction,
} from '@tokki/sdk';
import type { PendingMessage } from '../persist';
import { setMutedFlag, setPinned } from './chats';
import { changeMessage, hideMessage } from './history';
import { LoadingStore } from './loading';

/** The store's messaging: the send queue, edits, deletions, reactions, forwards, pins, mute. */
export class MessagingStore extends LoadingStore {
  /** Sends are chained per chat so that messages arrive in the order they were written. */
  readonly #sendChains = new Map<string, Promise<void>>();
  /** Sends under way (the SDK retries them until acknowledged); aborted on sign-out. */
  readonly #sending = new Map<string, AbortController>();

  /**
   * Shows the message at once as pending and sends it, exactly once, as soon as possible;
   * `replyToSeq` makes it answer (quote) that message of the chat; `fileIds` (uploaded to it)
   * make `text` their caption.
   */
  send(chatId: string, text: string, replyToSeq?: number, fileIds?: string[]): void {
    const pending: PendingMessage = {
      clientMsgId: newClientMsgId(),
      chatId,
      text,
      ...(replyToSeq !== undefined && { replyToSeq }),
      ...(fileIds?.length && { fileIds }),
      createdAt: Date.now(),
      status: 'sending',
    };
    this.set({ pending: [...this.state.pending, pending] });
    this.deliver(pending);
  }

  resend(clientMsgId: string): void {
    const pending = this.state.pending.find((p) => p.clientMsgId === clientMsgId);
    if (!pending) return;
    const next: PendingMessage = { ...pending, status: 'sending' };
    delete next.error;
    this.#replacePending(next);
    this.deliver(next);
  }

  discard(clientMsgId: string): void {
    this.set({ pending: this.state.pending.filter((p) => p.clientMsgId !== clientMsgId) });
  }

  protected deliver(pending: PendingMessage): void {
    const previous = this.#sendChains.get(pending.chatId) ?? Promise.resolve();
    const next = previous.then(() => this.#attempt(pending));
    this.#sendChains.set(pending.chatId, next);
  }

  /** Signing out: the sends under way stop. */
  protected abortSends(): void {
    for (const controller of this.#sending.values()) controller.abort(new Error('signed out'));
    this.#sending.clear();
    this.#sendChains.clear();
  }

  async #attempt(pending: PendingMessage): Promise<void> {
    const client = this.clientOrNone;
    if (!client) return;
    if (!this.state.pending.some((p) => p.clientMsgId === pending.clientMsgId)) return;
    const controller = new AbortController();
    this.#sending.set(pending.clientMsgId, controller);
    try {
      // Retried with the same clientMsgId until acknowledged, at once when the connection is back.
      const { message } = await client.sendMessage(pending.chatId, pending.text, {
        clientMsgId: pending.clientMsgId,
        signal: controller.signal,
        replyToSeq: pending.replyToSeq,
        fileIds: pending.fileIds,
      });
      if (client === this.clientOrNone) this.receiveMessage(message);
    } catch (error) {
      if (client !== this.clientOrNone) return;
      const code = error instanceof TokkiError ? error.code : 'INTERNAL';
      this.#replacePending({ ...pending, status: 'failed', error: code });
    } finally {
      this.#sending.delete(pending.clientMsgId);
    }
  }

  #replacePending(next: PendingMessage): void {
    this.set({
      pending: this.state.pending.map((p) => (p.clientMsgId === next.clientMsgId ? next : p)),
    });
  }

  /**
   * Changes the text of one's own message (within 24 hours of sending it). Throws a TokkiError:
   * `FORBIDDEN` (someone else's message, or too late), `CONFLICT` (deleted for everyone),
   * `TEXT_TOO_LONG`, `INVALID_PARAMS` (empty), `NOT_FOUND`, or a connection error.
   */
  async editMessage(chatId: string, seq: number, text: string): Promise<Message> {
    const { message } = await this.callClient().call('messages.edit', { chatId, seq, text });
    // The message.edited update follows; show the change at once (reactions stay as applied).
    this.change((state) =>
      changeMessage(state, chatId, seq, (m) =>
        !m.deletedAt ? { ...m, text: message.text, editedAt: message.editedAt } : m,
      ),
    );
    return message;
  }

  /**
   * Deletes a message for everyone (one's own, within 24 hours: a tombstone remains) or for this
   * user only (on all their devices). Throws a TokkiError: `FORBIDDEN` (someone else's message
   * or too late, for everyone), `NOT_FOUND`, or a connection error.
   */
  async deleteMessage(chatId: string, seq: number, forEveryone: boolean): Promise<void> {
    await this.callClient().call('messages.delete', { chatId, seq, forEveryone });
    if (!forEveryone) {
      this.change((state) => hideMessage(state, chatId, seq));
      return;
    }
    const deletedAt = Date.now();
    this.change((state) =>
      changeMessage(state, chatId, seq, (m) => (!m.deletedAt ? asTombstone(m, deletedAt) : m)),
    );
  }

  /**
   * Sets this user's reaction to a message, or takes it back with null. Shown at once; the
   * server's message.reacted update confirms it, and a refusal puts back what was there. Throws
   * a TokkiError: `CONFLICT` (deleted for everyone), `NOT_FOUND`, or a connection error.
   */
  async react(chatId: string, seq: number, reaction: Reaction | null): Promise<void> {
    const me = this.selfId(chatId);
    const client = this.callClient();
    if (!me) return;
    const history = this.state.histories[chatId];
    const index = history ? findMessageIndex(history.messages, seq) : -1;
    const before = index >= 0 ? reactionOf(history!.messages[index]!, me) : null;
    this.change((state) =>
      changeMessage(state, chatId, seq, (m) => (m.deletedAt ? m : withReaction(m, me, reaction))),
    );
    try {
      await client.call('messages.react', { chatId, seq, reaction });
    } catch (error) {
      if (client !== this.clientOrNone) return;
      // Unless another device changed it meanwhile, put back what the server still has.
      this.change((state) =>
        changeMessage(state, chatId, seq, (m) =>
          reactionOf(m, me) === reaction && !m.deletedAt ? withReaction(m, me, before) : m,
        ),
      );
      throw error;
    }
  }

  /**
   * Sends a copy of a message (its text and files) to up to `LIMITS.FORWARD_TARGETS_MAX` chats,
   * all or none; the same `clientMsgId` makes a retry answer the copies already made. Throws a
   * TokkiError: `NOT_MEMBER` (one of the chats is not the user's any more), `CONFLICT` (deleted
   * for everyone), `FORBIDDEN`, or a connection error.
   */
  async forward(
    chatId: string,
    seq: number,
    toChatIds: string[],
    clientMsgId: string,
  ): Promise<Message[]> {
    const client = this.callClient();
    const { messages } = await client.call('messages.forward', {
      chatId,
      seq,
      toChatIds,
      clientMsgId,
    });
    if (client === this.clientOrNone) for (const message of messages) this.receiveMessage(message);
    return messages;
  }

  /** Pins a message at the top of the chat for every member, or unpins it (null). */
  async pin(chatId: string, seq: number | null): Promise<void> {
    await this.callClient().call('chats.pin', { chatId, seq });
    this.change((state) => setPinned(state, chatId, seq));
  }

  /** The pinned message when the loaded history does not have it (an older one). */
  async loadPinned(chatId: string, seq: number): Promise<void> {
    const client = this.clientOrNone;
    if (!client || this.state.pinnedMessages[chatId]?.seq === seq) return;
    try {
      const { messages } = await client.call('messages.get', { chatId, seqs: [seq] });
      const message = messages[0];
      if (client !== this.clientOrNone || !message) return;
      this.set({ pinnedMessages: { ...this.state.pinnedMessages, [chatId]: message } });
    } catch (error) {
      if (!isConnectionError(error)) console.warn('messages.get failed', error);
    }
  }

  /** Mutes or unmutes a chat on all of this user's devices; shown at once, put back if refused. */
  async setMuted(chatId: string, muted: boolean): Promise<void> {
    const client = this.callClient();
    const before = Boolean(this.state.chats[chatId]?.muted);
    this.change((state) => setMutedFlag(state, chatId, muted));
    try {
      await client.call('chats.mute', { chatId, muted });
    } catch (error) {
      if (client === this.clientOrNone) this.change((state) => setMutedFlag(state, chatId, before));
      throw error;
    }
  }
}
