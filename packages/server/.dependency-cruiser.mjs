/**
 * The server's boundaries (docs/architecture.md), checked by boundaries.test.ts in `npm test`:
 * dependencies point down. `db/`, `bus/` and the other shared rooms below the domains know no
 * domain; a domain reaches another through its service (or a hook wired in context.ts), never
 * its store; and no two folders depend on each other, however indirectly.
 */

/** Rooms below the domains: they know no domain and nothing that composes the server. */
const SHARED = '(db|bus|rpc|pagination|rate-limit)';

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'shared-knows-no-domain',
      comment: `src/${SHARED}/ is below every domain: it may import only other shared rooms and the root's leaf modules.`,
      severity: 'error',
      from: { path: `^src/${SHARED}/` },
      to: { path: '^src/', pathNot: [`^src/${SHARED}/`, '^src/(errors|ids|version)\\.ts$'] },
    },
    {
      name: 'no-foreign-store',
      comment:
        'A domain reaches another through its service, or a hook in context.ts, never its store.',
      severity: 'error',
      from: { path: '^src/([^/]+)/' },
      to: { path: '^src/[^/]+/(store|[^/]*-store)\\.ts$', pathNot: '^src/$1/' },
    },
    {
      name: 'no-folder-cycles',
      comment: 'Two folders that depend on each other, directly or through others.',
      severity: 'error',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    exclude: { path: '\\.test\\.ts$' },
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
