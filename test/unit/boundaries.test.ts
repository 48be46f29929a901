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
  ['electron/dimse/x.ts', "import { x } from '../services/local-scp/serve.js'; export const y = x;", true],
  ['electron/dimse/x.ts', "import { app } from 'electron'; export const y = app;", true],
  ['electron/dimse/x.ts', "import { tag } from '../../shared/dicom/dataset.js'; export const y = tag;", false],
  ['electron/dimse/x.ts', "import { echo } from './scu/echo.js'; export const y = echo;", true],
  ['electron/dimse/index.ts', "export { echo } from './scu/echo.js';", false],
  ['electron/dimse/ul/x.ts', "import { CommandField } from '../command.js'; export const y = CommandField;", true],
  ['electron/dimse/ul/x.ts', "import { find } from '../scu/find.js'; export const y = find;", true],
  ['electron/dimse/ul/x.ts', "import { Cache } from '../../cache/index.js'; export const y = Cache;", true],
  ['electron/dimse/ul/x.ts', "import { encodePdu } from './pdu.js'; export const y = encodePdu;", false],
  ['electron/dimse/ul/x.ts', "import { tag } from '../../../shared/dicom/dataset.js'; export const y = tag;", false],
  ['electron/dimse/scp/x.ts', "import { Association } from '../ul/association.js'; export const y = Association;", false],
  ['electron/dimse/scp/x.ts', "import { Cache } from '../../cache/index.js'; export const y = Cache;", true],
  ['electron/cache/x.ts', "import { echo } from '../dimse/scu/index.js'; export const y = echo;", true],
  ['electron/cache/x.ts', "import { AppCore } from '../app/core.js'; export const y = AppCore;", true],
  ['electron/services/x/y.ts', "import { app } from 'electron'; export const y = app;", true],
  ['electron/services/x/y.ts', "import { echo } from '../../dimse/scu/index.js'; export const y = echo;", false],
  ['electron/services/x/y.ts', "import { AppCore } from '../../app/core.js'; export const y = AppCore;", true],
  ['electron/services/x/y.ts', "import { main } from '../../cli/main.js'; export const y = main;", true],
  ['electron/app/x.ts', "import { serve } from '../services/local-scp/serve.js'; export const y = serve;", false],
  ['electron/app/x.ts', "import { startUi } from '../web/start-ui.js'; export const y = startUi;", true],
  ['electron/app/x.ts', "import { app } from 'electron'; export const y = app;", true],
  ['electron/cli/x.ts', "import { AppCore } from '../app/core.js'; export const y = AppCore;", false],
  ['electron/main.ts', "import { app } from 'electron'; export const y = app;", false],
  ['shared/x.ts', "import { echo } from '../electron/dimse/scu/index.js'; export const y = echo;", true],
  ['shared/x.ts', "import { readFileSync } from 'node:fs'; export const y = readFileSync;", true],
  ['renderer/x.ts', "import { echo } from '../electron/dimse/scu/index.js'; export const y = echo;", true],
  ['renderer/x.ts', "import { tag } from '../shared/dicom/dataset.js'; export const y = tag;", false],
  ['renderer/src/features/viewer/x.ts', "import { useSearch } from '../search/use-search.js'; export const y = useSearch;", true],
  ['renderer/src/features/viewer/x.ts', "import { formatBytes } from '../../lib/format.js'; export const y = formatBytes;", false],
  ['renderer/src/features/viewer/x.ts', "import { sync } from './sync.js'; export const y = sync;", false],
  ['renderer/src/features/viewer/stack-load/x.ts', "import { useSearch } from '../../search/use-search.js'; export const y = useSearch;", true],
  ['renderer/src/features/viewer/stack-load/x.ts', "import { sync } from '../sync.js'; export const y = sync;", false],
  ['renderer/src/features/viewer/stack-load/x.ts', "import { formatBytes } from '../../../lib/format.js'; export const y = formatBytes;", false],
  ['renderer/src/lib/x.ts', "import { useSearch } from '../features/search/use-search.js'; export const y = useSearch;", true],
  ['renderer/src/transport/x.ts', "import { App } from '../app/App.js'; export const y = App;", true],
];

for (const [file, code, expected] of cases) {
  test(`${file}: ${code.slice(0, code.indexOf(';'))} is ${expected ? 'refused' : 'allowed'}`, async () => {
    assert.equal(await restricted(file, code), expected);
  });
}
