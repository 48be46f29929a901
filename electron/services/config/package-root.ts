/**
 * The installed package: its root (where package.json, dist/ and renderer/dist/ are), found from
 * this file whether it runs compiled, bundled or from source, and its version.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding Priors' package.json; undefined when this file is not inside the package. */
export function packageRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    dir = dirname(dir);
  }
  return undefined;
}

/** The version of the package, as package.json says. */
export function packageVersion(): string {
  const root = packageRoot();
  if (!root) return 'unknown';
  const v = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: unknown }).version;
  return typeof v === 'string' ? v : 'unknown';
}
