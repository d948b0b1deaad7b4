// Re-creates the files here from a clone of github.com/mlswg/mls-implementations:
//   node packages/e2e/test-vectors/extract.mjs /path/to/mls-implementations [commit]
// Keeps the entries of cipher suite 1 (ours), all of the suite-independent files, the first
// MESSAGES_KEPT entries of messages.json, and the first RANDOM_EPOCHS_KEPT epochs of
// passive-client-random.json (a prefix of its history is still a valid passive-client test).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const [repo, commit = 'HEAD'] = process.argv.slice(2);
if (!repo) throw new Error('usage: extract.mjs <mls-implementations clone> [commit]');
const here = fileURLToPath(new URL('.', import.meta.url));
const MESSAGES_KEPT = 20;
const RANDOM_EPOCHS_KEPT = 50;
const FILES = [
  'crypto-basics',
  'deserialization',
  'key-schedule',
  'message-protection',
  'messages',
  'passive-client-handling-commit',
  'passive-client-random',
  'passive-client-welcome',
  'psk_secret',
  'secret-tree',
  'transcript-hashes',
  'tree-math',
  'tree-operations',
  'tree-validation',
  'treekem',
  'welcome',
];

for (const name of FILES) {
  const gitDir = ['-C', repo];
  const text = execFileSync('git', [...gitDir, 'show', `${commit}:test-vectors/${name}.json`], {
    maxBuffer: 64 << 20,
  });
  let entries = JSON.parse(text.toString());
  entries = entries.filter((e) => e.cipher_suite === undefined || e.cipher_suite === 1);
  if (name === 'messages') entries = entries.slice(0, MESSAGES_KEPT);
  if (name === 'passive-client-random') {
    entries = entries.map((e) => ({ ...e, epochs: e.epochs.slice(0, RANDOM_EPOCHS_KEPT) }));
  }
  writeFileSync(`${here}${name}.json`, JSON.stringify(entries, null, 1) + '\n');
  process.stdout.write(`${name}: ${entries.length}\n`);
}
