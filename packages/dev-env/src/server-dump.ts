import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { TestServer } from './server.js';

/**
 * Everything a test server holds, place by place, as bytes to search: every column of every row
 * of every table (read from the schema, a search index's own tables included), the recent-updates
 * memory, and every file under its data directories (SQLite's database and journal, media).
 * For tests of what the server must never have (a secret chat's plaintext) or must no longer have.
 */
export async function dumpServer(s: TestServer): Promise<Map<string, Buffer>> {
  const { database, updates, config } = s.server.ctx;
  const dumps = new Map<string, Buffer>();
  const tables = await database.db.introspection.getTables();
  for (const table of tables) {
    // Any table by its name: the schema's types know only the tables the server's code names.
    const rows = await database.db
      .selectFrom(table.name as never)
      .selectAll()
      .execute();
    // Bytes columns (SQLite's index pages, PostgreSQL's bytea) decoded as UTF-8, so that UTF-8
    // text inside them reads as the text itself.
    const dump = JSON.stringify(rows, (_key, value: unknown) =>
      isSerializedBytes(value) ? Buffer.from(value.data).toString('utf8') : value,
    );
    dumps.set(`table ${table.name}`, Buffer.from(dump, 'utf8'));
  }
  dumps.set(
    'recent-updates memory',
    Buffer.from(JSON.stringify(updates.recentUpdates ?? null), 'utf8'),
  );
  const directories = [config.mediaDir];
  if (s.databaseUrl.startsWith('sqlite:')) {
    directories.push(dirname(s.databaseUrl.slice('sqlite:'.length)));
  }
  for (const directory of directories) {
    if (!directory) continue;
    for (const path of await filesUnder(directory)) dumps.set(`file ${path}`, await readFile(path));
  }
  return dumps;
}

/**
 * Where any of `texts` appears in a dump, as `"text" (form) in place`: as UTF-8, and as the
 * base64 of its UTF-8 bytes.
 */
export function findTexts(dumps: Map<string, Buffer>, texts: readonly string[]): string[] {
  const found: string[] = [];
  for (const text of texts) {
    const utf8 = Buffer.from(text, 'utf8');
    const forms = { utf8, base64: Buffer.from(utf8.toString('base64'), 'utf8') };
    for (const [place, dump] of dumps) {
      for (const [form, needle] of Object.entries(forms)) {
        if (dump.includes(needle)) found.push(`"${text}" (${form}) in ${place}`);
      }
    }
  }
  return found;
}

async function filesUnder(directory: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(directory, { withFileTypes: true, recursive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/** A Buffer as JSON.stringify hands it to a replacer (after its toJSON). */
const isSerializedBytes = (value: unknown): value is { type: 'Buffer'; data: number[] } =>
  typeof value === 'object' &&
  value !== null &&
  (value as { type?: unknown }).type === 'Buffer' &&
  Array.isArray((value as { data?: unknown }).data);
