// The README's `npx tokki …` on a fresh clone: npm links a workspace's bin at install time, and
// skips one whose file does not exist yet. On a fresh clone nothing is built when `npm install`
// runs, so the command must be a committed file that loads the build.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CLI_DIR = fileURLToPath(new URL('..', import.meta.url));
const ROOT = join(CLI_DIR, '../..');
const manifest = JSON.parse(readFileSync(join(CLI_DIR, 'package.json'), 'utf8')) as {
  bin: { tokki: string };
};
const entry = join(CLI_DIR, manifest.bin.tokki);

describe('the tokki command on a fresh clone', () => {
  it('is a committed file, so that npm links it before anything is built', () => {
    const tracked = execFileSync('git', ['ls-files', '--', manifest.bin.tokki], {
      cwd: CLI_DIR,
      encoding: 'utf8',
    });
    expect(tracked.trim()).toBe(manifest.bin.tokki.replace(/^\.\//, ''));
  });

  it('is linked where npx finds it, and runs the built CLI', () => {
    // `npm ci` on CI's fresh clone ran before the build: the link exists only if it was committed.
    expect(realpathSync(join(ROOT, 'node_modules/.bin/tokki'))).toBe(realpathSync(entry));
    const help = spawnSync(join(ROOT, 'node_modules/.bin/tokki'), ['--help'], { encoding: 'utf8' });
    expect(help.stderr).toBe('');
    expect(help.stdout).toMatch(/^Usage: tokki/);
  });

  it('says how to build when run before the build', () => {
    const copy = mkdtempSync(join(tmpdir(), 'tokki-unbuilt-'));
    try {
      mkdirSync(join(copy, 'bin'));
      copyFileSync(entry, join(copy, 'bin/tokki.js'));
      const run = spawnSync(process.execPath, [join(copy, 'bin/tokki.js'), '--help'], {
        encoding: 'utf8',
      });
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/not built yet: run `npm run build` \(or `npm start`\)/);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
