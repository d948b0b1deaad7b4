import type { Migration, MigrationProvider } from 'kysely';
import * as init from './001-init.js';
import * as friends from './002-friends.js';
import * as messageActions from './003-message-actions.js';
import * as search from './004-search.js';
import * as linkPreviews from './005-link-previews.js';
import * as searchPerBatch from './006-search-per-batch.js';
import * as files from './007-files.js';
import * as repliesReactions from './008-replies-reactions.js';
import * as messageFiles from './009-message-files.js';
import * as pins from './010-pins.js';
import * as memberSettings from './011-member-settings.js';
import * as chatInvites from './012-chat-invites.js';
import * as openChatsPresence from './013-open-chats-presence.js';
import * as linkPreviewImages from './014-link-preview-images.js';
import * as signInCodes from './015-sign-in-codes.js';
import * as deletedMeansDeleted from './016-deleted-means-deleted.js';
import * as secretChats from './017-secret-chats.js';

/** Every migration, in order, for both dialects. Append; never edit one that has shipped. */
const migrations: Record<string, Migration> = {
  '001-init': init,
  '002-friends': friends,
  '003-message-actions': messageActions,
  '004-search': search,
  '005-link-previews': linkPreviews,
  '006-search-per-batch': searchPerBatch,
  '007-files': files,
  '008-replies-reactions': repliesReactions,
  '009-message-files': messageFiles,
  '010-pins': pins,
  '011-member-settings': memberSettings,
  '012-chat-invites': chatInvites,
  '013-open-chats-presence': openChatsPresence,
  '014-link-preview-images': linkPreviewImages,
  '015-sign-in-codes': signInCodes,
  '016-deleted-means-deleted': deletedMeansDeleted,
  '017-secret-chats': secretChats,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
