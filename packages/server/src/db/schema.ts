/** One interface per table; timestamps are milliseconds since the epoch. */
export interface UsersTable {
  id: string;
  phone: string;
  display_name: string;
  status_message: string;
  created_at: number;
  /** HMAC of `phone` (accounts/phone-hash.ts), matched against contacts. */
  phone_hash: string | null;
  /** Lower case; unique. */
  tokki_id: string | null;
  photo_id: string | null;
}

export interface DevicesTable {
  id: string;
  user_id: string;
  /** SHA-256 of the token's secret half; the token itself is never stored. */
  token_hash: string;
  name: string;
  created_at: number;
  last_seen_at: number;
  revoked_at: number | null;
}

/** Codes pending for a number: a few at once, each valid until it expires (014). */
export interface VerificationCodesTable {
  id: string;
  phone: string;
  salt: string;
  code_hash: string;
  expires_at: number;
  attempts: number;
  created_at: number;
}

export interface RateLimitsTable {
  key: string;
  window_start: number;
  count: number;
  /** When the window ends: a row past it counts nothing, and is pruned. */
  expires_at: number;
}

export interface ChatsTable {
  id: string;
  kind: 'direct' | 'group' | 'open' | 'secret';
  title: string;
  /** For direct chats, the two user ids sorted and joined: one chat per pair. */
  direct_key: string | null;
  last_seq: number;
  /** pts of the newest update in this chat, so catch-up skips chats that did not change. */
  last_pts: number;
  last_activity_at: number;
  member_count: number;
  created_at: number;
  /** The message pinned at the top, null when none. */
  pinned_seq: number | null;
}

export interface ChatMembersTable {
  chat_id: string;
  user_id: string;
  role: 'owner' | 'admin' | 'member';
  /** Messages up to this seq predate the member and stay hidden from them. */
  joined_seq: number;
  /** pts of the member's `chat.joined` update: the first update they receive from this chat. */
  joined_pts: number;
  /** pts of the member's `chat.left` update, the last they receive; null while a member. */
  left_pts: number | null;
  read_seq: number;
  /** 1 when the other member of a direct chat blocked this one: their sends are refused. */
  send_blocked: number;
  /** 1 when this member muted the chat. */
  muted: number;
  /**
   * Open chats: the id that stands for the member in the room (as sender, reactor, reader, …)
   * instead of their user id, and their nickname there. Null in other chats.
   */
  profile_id: string | null;
  nickname: string | null;
  /** 1 when removed from an open chat by its host or a co-host: they may not join again. */
  banned: number;
}

/** A user's presence settings and record; no row means the defaults and never seen. */
export interface PresenceTable {
  user_id: string;
  /** When the user's last connection closed; null if not since the setting was stored. */
  last_seen_at: number | null;
  last_seen_privacy: 'everyone' | 'friends' | 'nobody';
}

/** The settings of an open chat (`chats` holds the rest). */
export interface OpenChatsTable {
  chat_id: string;
  description: string;
  member_limit: number;
  listed: number;
}

export interface MessagesTable {
  chat_id: string;
  seq: number;
  sender_id: string;
  client_msg_id: string;
  /** Empty once deleted for everyone. */
  text: string;
  created_at: number;
  edited_at: number | null;
  /** Set when the sender deleted it for everyone. */
  deleted_at: number | null;
  /** Of its `message.new` update (null for messages from before it was kept). */
  pts: number | null;
  /** The message of the same chat this one answers. */
  reply_to_seq: number | null;
  /** `FileInfo[]` as JSON, in order; null for a message without files. */
  files: string | null;
}

/** One member's reaction to one message. */
export interface MessageReactionsTable {
  chat_id: string;
  seq: number;
  user_id: string;
  reaction: string;
  created_at: number;
}

/** Messages a user deleted for themselves only. */
export interface HiddenMessagesTable {
  user_id: string;
  chat_id: string;
  seq: number;
  created_at: number;
}

/** The update log of chats: one row per update, read by every member (fan-out on read). */
export interface ChatUpdatesTable {
  pts: number;
  chat_id: string;
  /** The `Update` as JSON, serialized once when written. */
  payload: string;
  created_at: number;
  /** The message an edit, deletion, reaction or pin is about; null for other updates. */
  about_seq: number | null;
}

/** Updates that concern one user only (their profile, from another of their devices). */
export interface UserUpdatesTable {
  pts: number;
  user_id: string;
  payload: string;
  created_at: number;
}

/** A user's address book: keyed hashes of numbers, never the numbers. */
export interface ContactsTable {
  owner_id: string;
  phone_hash: string;
  name: string | null;
  created_at: number;
}

export interface FriendsTable {
  owner_id: string;
  friend_id: string;
  /** The owner's name for them (from the address book), shown instead of theirs. */
  contact_name: string | null;
  favorite: number;
  hidden: number;
  created_at: number;
}

/** `owner_id` blocked `blocked_id`, who from then on sees the owner's profile as it was. */
export interface BlocksTable {
  owner_id: string;
  blocked_id: string;
  display_name: string;
  status_message: string;
  photo_id: string | null;
  created_at: number;
}

export interface RecommendationDismissalsTable {
  owner_id: string;
  user_id: string;
  created_at: number;
}

export interface ProfilePhotosTable {
  id: string;
  user_id: string;
  large: Buffer;
  small: Buffer;
  created_at: number;
}

/** The link-preview cache (links/). */
export interface LinkPreviewsTable {
  /** Normalised, without its fragment. */
  url: string;
  /** The LinkPreview as JSON, its imageUrl null; null for a page that gave none. */
  preview: string | null;
  fetched_at: number;
  expires_at: number;
  /** `l_…`, served at `/v1/link-images/<id>`; null when the preview has no image. */
  image_id: string | null;
  /** The page's image, re-encoded (links/preview-image.ts). */
  image: Buffer | null;
  image_type: string | null;
}

/** Files uploaded to chats (media/); the bytes live in the blob store under their SHA-256. */
export interface FilesTable {
  id: string;
  chat_id: string;
  uploader_id: string;
  /** The tus upload it came from: a HEAD after the upload finished answers from here. */
  upload_id: string | null;
  name: string;
  mime: string;
  kind: 'image' | 'file';
  /** Of what is served (an image's re-encoded form). */
  size: number;
  sha256: string;
  /** Bytes the uploader sent. */
  original_size: number;
  thumb_sha256: string | null;
  thumb_mime: string | null;
  blurhash: string | null;
  width: number | null;
  height: number | null;
  created_at: number;
  /** The message that carries it; null until sent (an upload never sent is collected). */
  message_seq: number | null;
}

/** A group's invite link; only the token's SHA-256 is kept. */
export interface ChatInvitesTable {
  token_hash: string;
  chat_id: string;
  created_by: string;
  created_at: number;
  revoked_at: number | null;
}

/** A device's published identity key (its MLS signature key), base64. */
export interface SecretIdentitiesTable {
  device_id: string;
  user_id: string;
  signature_key: string;
  published_at: number;
}

/** A device's unclaimed key packages (MLSMessage bytes, base64); its last-resort one stays. */
export interface SecretKeyPackagesTable {
  device_id: string;
  /** The package's KeyPackageRef (hex). */
  ref: string;
  user_id: string;
  data: string;
  last_resort: number;
  created_at: number;
}

/** A key package `claimer_id` claimed for device `device_id`: their next commit may add it. */
export interface SecretClaimsTable {
  claimer_id: string;
  device_id: string;
  claimed_at: number;
}

/** A secret chat's MLS group: its id (base64) and current epoch, moved by compare-and-set. */
export interface SecretGroupsTable {
  chat_id: string;
  group_id: string;
  epoch: number;
  created_at: number;
}

/** A leaf of a secret chat's group, what it has acknowledged, and whether it awaits removal. */
export interface SecretGroupDevicesTable {
  chat_id: string;
  device_id: string;
  user_id: string;
  /** The device holds every message up to this seq. */
  acked_seq: number;
  /** 1 once revoked (or its user left): a member must commit its removal before anyone sends. */
  revoked: number;
  added_at: number;
}

/**
 * A secret message the server still holds: its ciphertext is in its `secret.message` update (at
 * `pts`), blanked with this row once every device has it or at `expires_at`.
 */
export interface SecretMessagesTable {
  chat_id: string;
  seq: number;
  pts: number;
  sender_id: string;
  device_id: string;
  epoch: number;
  created_at: number;
  expires_at: number;
}

export interface CountersTable {
  name: string;
  value: number;
}

export interface DatabaseSchema {
  users: UsersTable;
  devices: DevicesTable;
  verification_codes: VerificationCodesTable;
  rate_limits: RateLimitsTable;
  chats: ChatsTable;
  chat_members: ChatMembersTable;
  messages: MessagesTable;
  chat_updates: ChatUpdatesTable;
  user_updates: UserUpdatesTable;
  counters: CountersTable;
  contacts: ContactsTable;
  friends: FriendsTable;
  blocks: BlocksTable;
  recommendation_dismissals: RecommendationDismissalsTable;
  profile_photos: ProfilePhotosTable;
  hidden_messages: HiddenMessagesTable;
  message_reactions: MessageReactionsTable;
  chat_invites: ChatInvitesTable;
  open_chats: OpenChatsTable;
  presence: PresenceTable;
  link_previews: LinkPreviewsTable;
  files: FilesTable;
  secret_identities: SecretIdentitiesTable;
  secret_key_packages: SecretKeyPackagesTable;
  secret_claims: SecretClaimsTable;
  secret_groups: SecretGroupsTable;
  secret_group_devices: SecretGroupDevicesTable;
  secret_messages: SecretMessagesTable;
}
