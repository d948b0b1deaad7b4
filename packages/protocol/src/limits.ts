/** Explicit limits; docs/protocol.md lists them and tests exercise each. */
export const LIMITS = {
  /** Characters (UTF-16 code units are not what users count: we count code points). */
  MESSAGE_TEXT_MAX: 4096,
  CLIENT_MSG_ID_MAX: 64,
  DISPLAY_NAME_MAX: 64,
  STATUS_MESSAGE_MAX: 140,
  CHAT_TITLE_MAX: 128,
  DEVICE_NAME_MAX: 64,
  GROUP_MEMBERS_MAX: 3000,
  /** An open chat's member limit when its host sets none (KakaoTalk's). */
  OPEN_CHAT_MEMBERS_DEFAULT: 1500,
  OPEN_CHAT_DESCRIPTION_MAX: 500,
  /** Characters of a nickname in an open chat (code points). */
  NICKNAME_MAX: 20,
  /** Open chats one `open.search` returns. */
  OPEN_SEARCH_MAX: 50,
  /** Users one connection may watch the presence of. */
  PRESENCE_WATCH_MAX: 200,
  /** Users one `chats.createGroup` / `chats.addMembers` call may add. */
  MEMBERS_PER_CALL_MAX: 500,
  HISTORY_PAGE_MAX: 200,
  /** Profiles one `users.get` call may ask for. */
  USERS_PER_CALL_MAX: 200,
  CHAT_LIST_PAGE_MAX: 500,
  MEMBER_PAGE_MAX: 1000,
  DIFFERENCE_PAGE_MAX: 1000,
  /** Largest WebSocket frame or HTTP body the server accepts, in bytes. */
  MAX_FRAME_BYTES: 64 * 1024,
  /** Invalid frames in a row after which the server closes with PROTOCOL_VIOLATION. */
  INVALID_FRAMES_MAX: 20,
  /** Seconds a new WebSocket may wait before sending `connect`. */
  HANDSHAKE_TIMEOUT_SECONDS: 10,
  VERIFICATION_CODE_TTL_SECONDS: 300,
  /** Address-book entries one `contacts.sync` call may add or remove (each list). */
  CONTACTS_PER_CALL_MAX: 1000,
  CONTACT_NAME_MAX: 64,
  /** Friends one account may have (KakaoTalk's limit). */
  FRIENDS_MAX: 5000,
  /** How long after sending a message may be edited or deleted for everyone. */
  MESSAGE_EDIT_WINDOW_SECONDS: 24 * 3600,
  /** Characters of a search query (code points). */
  SEARCH_QUERY_MAX: 100,
  SEARCH_PAGE_MAX: 50,
  /** Characters of a URL to preview. */
  LINK_URL_MAX: 2048,
  /** Largest profile picture accepted, in bytes (it is stored resized). */
  PROFILE_PHOTO_MAX_BYTES: 10 * 1024 * 1024,
  VERIFICATION_CODE_ATTEMPTS: 5,
  /** Largest file (photo, video, document) one upload may declare, in bytes. */
  FILE_MAX_BYTES: 300 * 1024 * 1024,
  /** Chats one `messages.forward` may send to. */
  FORWARD_TARGETS_MAX: 10,
  /** Files one message may carry (KakaoTalk sends up to 30 photos at once). */
  FILES_PER_MESSAGE_MAX: 30,
  /** Characters of a file's name (code points). */
  FILE_NAME_MAX: 255,
  /**
   * Devices (MLS leaves) one secret chat may hold; a user with three devices counts three. The
   * Welcome carries the whole ratchet tree (~210 bytes a leaf with our ids), so adding 20 devices
   * to a group of this size must still fit SECRET_HANDSHAKE_BYTES_MAX (e2e's group test checks it).
   */
  SECRET_GROUP_DEVICES_MAX: 128,
  /**
   * Bytes of one secret application message (the MLS ciphertext, before base64): a text of
   * MESSAGE_TEXT_MAX code points of 4 UTF-8 bytes each, padded, with the MLS header.
   */
  SECRET_MESSAGE_BYTES_MAX: 20 * 1024,
  /** Bytes of one commit and its Welcome together (before base64), so that they fit a frame. */
  SECRET_HANDSHAKE_BYTES_MAX: 40 * 1024,
  /** Devices one commit may add; a larger group is built by several commits. */
  SECRET_ADDS_PER_COMMIT_MAX: 20,
  /** Key packages one `secret.uploadKeyPackages` may carry, and one device may keep. */
  SECRET_KEY_PACKAGES_MAX: 100,
  /** Bytes of one key package (before base64). */
  SECRET_KEY_PACKAGE_BYTES_MAX: 4 * 1024,
  /** Below this many one-time key packages left, the device is told to upload more. */
  SECRET_KEY_PACKAGES_LOW: 10,
  /** Users one `secret.devices` / `secret.claimKeyPackages` call may ask for. */
  SECRET_USERS_PER_CALL_MAX: 100,
} as const;

/** Self-destruct timers a secret chat may set, in seconds (0: off). */
export const SECRET_TIMERS = [0, 5, 10, 30, 60, 3600, 86_400, 604_800] as const;
export type SecretTimer = (typeof SECRET_TIMERS)[number];

/** The image types `POST /v1/profile/photo` takes (HEIC: iPhones' own photos). */
export const PROFILE_PHOTO_TYPES = [
  'image/jpeg',
  'image/png',
  'image/webp',
  'image/gif',
  'image/heic',
  'image/avif',
] as const;

/**
 * The reactions a message can get: KakaoTalk's 공감 — heart, like, check, laugh, surprise, sad.
 * A plain constant here, not in models.ts, so that a bundle using it does not pull in the schemas.
 */
export const REACTIONS = ['heart', 'like', 'check', 'laugh', 'surprise', 'sad'] as const;
