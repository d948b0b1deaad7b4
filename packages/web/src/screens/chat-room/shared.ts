// Types and helpers the chat room's components share.
import type { UploadBatch } from '../../lib/uploads';
import type { Message } from '@tokki/protocol';
import type { TFunction } from 'i18next';
import { messageSummary } from '../../lib/files';
import type { PendingMessage } from '../../lib/persist';
import type { SystemLine } from '../../lib/store';

export type Item =
  | { kind: 'message'; key: string; message: Message }
  | { kind: 'system'; key: string; line: SystemLine }
  | { kind: 'pending'; key: string; pending: PendingMessage }
  | { kind: 'upload'; key: string; batch: UploadBatch };

/** A short note under the messages: "Copied", or why an edit or deletion was refused. */
export interface Notice {
  text: string;
  error: boolean;
}

/** A message's first line, or what its files are, for a quote (CSS cuts it to the width). */
export function snippet(t: TFunction, message: Message): string {
  return messageSummary(t, message).split('\n', 1)[0] ?? '';
}
