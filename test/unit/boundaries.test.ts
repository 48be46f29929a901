import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ESLint } from 'eslint';

// The architecture's import boundaries (eslint.config.js), checked on virtual files.
const eslint = new ESLint({ cwd: new URL('../..', import.meta.url).pathname });

async function restricted(filePath: string, code: string): Promise<boolean> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).some((m) => m.ruleId === 'no-restricted-imports');
}

const cases: [string, string, boolean][] = [
  ['electron/dimse/x.ts', "import { Cache } from '../cache/index.js'; export const x = Cache;", true],
  ['electron/dimse/x.ts', "import { x } from '../services/serve.js'; export const y = x;", true],
  ['electron/dimse/x.ts', "import { app } from 'electron'; export const y = app;", true],
  ['electron/dimse/x.ts', "import { tag } from '../../shared/dicom/dataset.js'; export const y = tag;", false],
  ['electron/cache/x.ts', "import { echo } from '../dimse/scu.js'; export const y = echo;", true],
  ['electron/services/x.ts', "import { app } from 'electron'; export const y = app;", true],
  ['electron/services/x.ts', "import { echo } from '../dimse/scu.js'; export const y = echo;", false],
  ['electron/main.ts', "import { app } from 'electron'; export const y = app;", false],
  ['shared/x.ts', "import { echo } from '../electron/dimse/scu.js'; export const y = echo;", true],
  ['shared/x.ts', "import { readFileSync } from 'node:fs'; export const y = readFileSync;", true],
  ['renderer/x.ts', "import { echo } from '../electron/dimse/scu.js'; export const y = echo;", true],
  ['renderer/x.ts', "import { tag } from '../shared/dicom/dataset.js'; export const y = tag;", false],
];

for (const [file, code, expected] of cases) {
  test(`${file}: ${code.slice(0, code.indexOf(';'))} is ${expected ? 'refused' : 'allowed'}`, async () => {
    assert.equal(await restricted(file, code), expected);
  });
}
