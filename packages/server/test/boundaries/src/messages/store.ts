export const messagesOf = (chatId: string) => [chatId];
