// What the shipped vector files hold, shared by the Node and the Chromium test.

export const VECTOR_DIR = new URL('../../test-vectors/', import.meta.url);

/** How many entries each shipped file holds: a file that lost entries fails, not passes. */
export const EXPECTED_ENTRIES: Record<string, number> = {
  'crypto-basics': 1,
  deserialization: 14,
  'key-schedule': 1,
  'message-protection': 1,
  messages: 20,
  'passive-client-handling-commit': 13,
  'passive-client-random': 1,
  'passive-client-welcome': 8,
  psk_secret: 11,
  'secret-tree': 3,
  'transcript-hashes': 1,
  treekem: 11,
  'tree-math': 10,
  'tree-operations': 5,
  'tree-validation': 14,
  welcome: 1,
};
