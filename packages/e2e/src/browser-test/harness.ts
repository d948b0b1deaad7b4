// Serves the e2e test page to Chromium: page.ts bundled with Vite (as the web app bundles
// @tokki/e2e), the shipped vector files, on a real socket, so IndexedDB has a real origin.
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build, type Rolldown } from 'vite';
import { VECTOR_FILES } from '../vectors/index.js';

const ENTRY = fileURLToPath(new URL('./page.ts', import.meta.url));
const VECTOR_DIR = new URL('../../test-vectors/', import.meta.url);

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>@tokki/e2e</title></head>
<body><script type="module" src="/page.js"></script></body></html>`;

/** Bundles page.ts into one ES module. */
export async function bundlePage(): Promise<string> {
  const output = (await build({
    configFile: false,
    // Quiet: @hpke/common's guarded `import 'crypto'` draws Vite's browser-externalized notice.
    logLevel: 'error',
    build: {
      write: false,
      target: 'es2022',
      minify: false,
      lib: { entry: ENTRY, formats: ['es'], fileName: 'page' },
      rolldownOptions: { output: { codeSplitting: false } },
    },
  })) as Rolldown.RolldownOutput | Rolldown.RolldownOutput[];
  const chunks = (Array.isArray(output) ? output : [output]).flatMap((o) => o.output);
  const entry = chunks.find((chunk) => chunk.type === 'chunk' && chunk.isEntry);
  if (entry?.type !== 'chunk') throw new Error('the page bundle has no entry chunk');
  return entry.code;
}

export interface PageServer {
  url: string;
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 for the page, its bundle and the vector files. */
export async function servePage(): Promise<PageServer> {
  const script = await bundlePage();
  const server: Server = createServer((request, response) => {
    void (async () => {
      const path = new URL(request.url ?? '/', 'http://localhost').pathname;
      const vector = /^\/vectors\/([a-z_-]+)\.json$/.exec(path)?.[1];
      if (path === '/') {
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
      } else if (path === '/page.js') {
        response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
      } else if (vector !== undefined && VECTOR_FILES.includes(vector)) {
        const body = await readFile(new URL(`${vector}.json`, VECTOR_DIR));
        response.writeHead(200, { 'content-type': 'application/json' }).end(body);
      } else {
        response.writeHead(404).end();
      }
    })().catch((error: unknown) => {
      response.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
