/**
 * The message a chat should scroll to when it opens next (a search result that was tapped). A
 * module-level note, not part of the URL: reloading the chat later opens it at the newest again.
 */
let wanted: { chatId: string; seq: number } | null = null;

export function focusOnOpen(chatId: string, seq: number): void {
  wanted = { chatId, seq };
}

/** The seq to scroll to in this chat, once: asking forgets it. */
export function takeFocus(chatId: string): number | undefined {
  if (wanted?.chatId !== chatId) return undefined;
  const { seq } = wanted;
  wanted = null;
  return seq;
}
