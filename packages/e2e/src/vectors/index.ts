// The official MLS test vectors (packages/e2e/test-vectors, see its README) for our suite, run
// against ts-mls. The same runner serves the Node test and the Chromium page.
import { checkCryptoBasics } from './crypto-basics.js';
import { checkDeserialization } from './deserialization.js';
import { checkKeySchedule } from './key-schedule.js';
import { checkMessageProtection } from './message-protection.js';
import { checkMessages } from './messages.js';
import { checkPassiveClient } from './passive-client.js';
import { checkPskSecret } from './psk-secret.js';
import { checkSecretTree } from './secret-tree.js';
import { checkTranscriptHashes } from './transcript-hashes.js';
import { checkTreeKem } from './treekem.js';
import { checkTreeMath } from './tree-math.js';
import { checkTreeOperations } from './tree-operations.js';
import { checkTreeValidation } from './tree-validation.js';
import { checkWelcome } from './welcome.js';
import { OUR_SUITE_ID } from './check.js';

// Each check takes one entry of its file; the JSON is trusted test data, typed by the check.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Check = (entry: any) => Promise<void>;

/** Vector file name (without .json) → the check of one of its entries. */
export const VECTOR_CHECKS: Record<string, Check> = {
  'crypto-basics': checkCryptoBasics,
  deserialization: checkDeserialization,
  'key-schedule': checkKeySchedule,
  'message-protection': checkMessageProtection,
  messages: checkMessages,
  'passive-client-handling-commit': checkPassiveClient,
  'passive-client-random': checkPassiveClient,
  'passive-client-welcome': checkPassiveClient,
  psk_secret: checkPskSecret,
  'secret-tree': checkSecretTree,
  'transcript-hashes': checkTranscriptHashes,
  treekem: checkTreeKem,
  'tree-math': checkTreeMath,
  'tree-operations': checkTreeOperations,
  'tree-validation': checkTreeValidation,
  welcome: checkWelcome,
};

export const VECTOR_FILES = Object.keys(VECTOR_CHECKS);

export interface VectorFileResult {
  file: string;
  total: number;
  passed: number;
  failures: { index: number; error: string }[];
}

/** Runs every entry of one file; an entry of another suite counts as a failure, not a skip. */
export async function runVectorFile(file: string, entries: unknown): Promise<VectorFileResult> {
  const check = VECTOR_CHECKS[file];
  if (check === undefined) throw new Error(`no check for vector file ${file}`);
  if (!Array.isArray(entries)) throw new Error(`${file} is not a list of vectors`);
  const result: VectorFileResult = { file, total: entries.length, passed: 0, failures: [] };
  for (const [index, entry] of entries.entries()) {
    try {
      const suite = (entry as { cipher_suite?: number }).cipher_suite;
      if (suite !== undefined && suite !== OUR_SUITE_ID) {
        throw new Error(`cipher suite ${suite} is not ours`);
      }
      await check(entry);
      result.passed++;
    } catch (error) {
      result.failures.push({
        index,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return result;
}
