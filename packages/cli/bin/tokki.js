#!/usr/bin/env node
// The `tokki` command as npm links it. This file is committed rather than built, so that
// `npm install` on a fresh clone links the command before anything is built (npm skips a bin
// whose file is missing); it runs the build, or says how to make it.
import { existsSync } from 'node:fs';

const built = new URL('../dist/bin.js', import.meta.url);
if (!existsSync(built)) {
  console.error(
    'error: Tokki is not built yet: run `npm run build` (or `npm start`) in the Tokki folder first.',
  );
  process.exit(1);
}
await import(built.href);
