import type { Reaction } from '@tokki/protocol';

/** The emoji each reaction shows as, in KakaoTalk's order. */
export const REACTION_EMOJI: Record<Reaction, string> = {
  heart: '❤️',
  like: '👍',
  check: '✅',
  laugh: '😆',
  surprise: '😮',
  sad: '😢',
};
