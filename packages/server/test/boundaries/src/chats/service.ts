// Breaks "no-foreign-store" (chats reads messages' store) and, with messages/send.ts importing
// this service, "no-folder-cycles" (chats → messages → chats).
import { messagesOf } from '../messages/store.js';

export const membersOf = (chatId: string) => messagesOf(chatId);
