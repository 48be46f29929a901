/**
 * Debian's pydicom as a test oracle: runs a Python snippet under /usr/bin/python3 (the
 * interpreter that has pydicom; the `python3` first on PATH may not) and parses the JSON it prints.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** The interpreter that owns Debian's python3-pydicom. */
export const PYTHON = '/usr/bin/python3';
/** pydicom's bundled test data (test_files/, charset_files/). */
export const PYDICOM_DATA = '/usr/lib/python3/dist-packages/pydicom/data';

let available: boolean | undefined;

/** Whether /usr/bin/python3 can import pydicom (checked once). */
export function pydicomAvailable(): boolean {
  if (available === undefined) {
    available = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import pydicom'], { timeout: 30_000 }).status === 0;
  }
  return available;
}

/**
 * Runs `script` with `args` (as sys.argv[1:]) and returns its stdout parsed as JSON.
 * Throws with the interpreter's stderr when it fails.
 */
export function runPython<T>(script: string, args: string[] = []): T {
  const r = spawnSync(PYTHON, ['-c', script, ...args], {
    encoding: 'utf8',
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, PYTHONIOENCODING: 'utf-8', PYTHONWARNINGS: 'ignore' },
  });
  if (r.status !== 0) throw new Error(`python failed (${r.status ?? r.signal}): ${r.stderr || r.error?.message}`);
  return JSON.parse(r.stdout) as T;
}
