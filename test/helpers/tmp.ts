// Temporary directories for tests, removed when the enclosing test or suite ends.
// Set PRIORS_KEEP_TMP=1 to keep them for a post-mortem (their paths are printed).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

const pending = new Set<string>();
process.once('exit', () => {
  for (const dir of pending) removeDir(dir);
});

function removeDir(dir: string): void {
  pending.delete(dir);
  if (process.env.PRIORS_KEEP_TMP === '1') {
    process.stderr.write(`kept temporary directory ${dir}\n`);
    return;
  }
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}

// Registered at import, outside any test, so it runs when the test file ends. (node:test runs an
// `after` registered inside a `before` hook right after that hook: too early for fixtures.)
if (process.env.NODE_TEST_CONTEXT !== undefined || /\.test\.[cm]?[jt]s$/.test(process.argv[1] ?? '')) {
  after(() => {
    for (const dir of [...pending]) removeDir(dir);
  });
}

/**
 * Creates a fresh directory under os.tmpdir() named `<prefix>-XXXXXX`, removed when the test
 * file ends (and, failing that, when the process exits). Returns its absolute path.
 */
export function tempDir(prefix = 'priors'): string {
  const dir = mkdtempSync(join(tmpdir(), `${prefix.replace(/[^A-Za-z0-9._-]/g, '_')}-`));
  pending.add(dir);
  return dir;
}

/** Like tempDir but without registering a hook: the caller removes it with the returned function. */
export function tempDirManual(prefix = 'priors'): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `${prefix.replace(/[^A-Za-z0-9._-]/g, '_')}-`));
  pending.add(dir);
  return { dir, remove: () => removeDir(dir) };
}
