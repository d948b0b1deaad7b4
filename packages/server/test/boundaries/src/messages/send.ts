import { membersOf } from '../chats/service.js';

export const send = (chatId: string) => membersOf(chatId);
