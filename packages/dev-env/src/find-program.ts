import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * A program the tests start (nats-server, caddy): the one `$variable` names, else `name` on PATH
 * or in `dirs` (Debian puts some in sbin, which a user's PATH may lack). Else why not, in words.
 */
export function findProgram(
  name: string,
  variable: string,
  dirs: string[],
): { path: string } | { reason: string } {
  const fromEnv = process.env[variable];
  if (fromEnv) {
    return isExecutable(fromEnv)
      ? { path: fromEnv }
      : { reason: `${variable}=${fromEnv} is not an executable file` };
  }
  const path = [...(process.env.PATH ?? '').split(delimiter), ...dirs]
    .filter((dir) => dir !== '')
    .map((dir) => join(dir, name))
    .find(isExecutable);
  const places = ['PATH', ...dirs];
  return path
    ? { path }
    : { reason: `no ${name} on ${places.slice(0, -1).join(', ')} or in ${places.at(-1)}` };
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
