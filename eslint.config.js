// Lint rules, chiefly the import boundaries of the layers (docs/architecture.md):
// renderer → shared ← electron; in electron/, cli/ and web/ → app/ → services/ → dimse/ and cache/,
// and dimse/ul/ below dimse's services; only the shell files import 'electron'.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const electronShell = ['electron/main.ts', 'electron/window.ts', 'electron/shell/**', 'electron/preload/**', 'electron/ipc/**'];

// A later block for the same files replaces an earlier block's options, so each folder's block
// lists the generic bans of electron/ again through this helper.
const notElectron = { group: ['electron', '**/renderer/**'], message: 'Only the shell files (main.ts, window.ts, shell/, preload/, ipc/) import electron.' };
const restrict = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });
const entryPoints = ['**/cli/**', '**/web/**', '**/ipc/**', '**/shell/**', '**/main.js', '**/window.js'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'out/**', 'renderer/dist/**', 'test-output/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: restrict(
      { group: ['**/electron/**', 'electron', '**/renderer/**', 'node:*', 'better-sqlite3'], message: 'shared/ is pure code used by both sides: no Node, Electron or renderer imports.' },
    ),
  },
  // The generic rule first: the specific ones below override it for their folders (and repeat it).
  {
    files: ['electron/**/*.ts'],
    ignores: electronShell,
    rules: restrict(notElectron),
  },
  {
    files: ['electron/app/**/*.ts'],
    rules: restrict(notElectron,
      { group: entryPoints, message: 'app/ implements the API contract; the entry points (cli/, web/, the shell) call it, never the reverse.' },
    ),
  },
  {
    files: ['electron/services/**/*.ts'],
    rules: restrict(notElectron,
      { group: ['**/app/**', ...entryPoints], message: 'services/ joins dimse/ to cache/; app/ and the entry points call it, never the reverse.' },
    ),
  },
  {
    files: ['electron/dimse/**/*.ts'],
    rules: restrict(
      { group: ['**/cache/**', '**/services/**', '**/app/**', '**/cli/**', '**/web/**', 'electron', 'better-sqlite3', '**/renderer/**'], message: 'dimse/ is the network layer: it knows nothing of SQLite, services or Electron.' },
    ),
  },
  {
    files: ['electron/dimse/*.ts'],
    ignores: ['electron/dimse/index.ts'],
    rules: restrict(
      { group: ['**/cache/**', '**/services/**', '**/app/**', '**/cli/**', '**/web/**', 'electron', 'better-sqlite3', '**/renderer/**'], message: 'dimse/ is the network layer: it knows nothing of SQLite, services or Electron.' },
      { group: ['./scu/**', './scp/**'], message: 'The DIMSE message layer (command, channel, handlers) is under the SCU and SCP services: only index.ts re-exports them.' },
    ),
  },
  {
    files: ['electron/dimse/ul/**/*.ts'],
    rules: restrict(
      { group: ['**/cache/**', '**/services/**', '**/app/**', '**/cli/**', '**/web/**', 'electron', 'better-sqlite3', '**/renderer/**'], message: 'dimse/ is the network layer: it knows nothing of SQLite, services or Electron.' },
      { regex: '^\\.\\./[^./]', message: 'ul/ is the PS3.8 upper layer: it knows nothing of DIMSE commands, SCUs or SCPs.' },
    ),
  },
  {
    files: ['electron/cache/**/*.ts'],
    rules: restrict(
      { group: ['**/dimse/**', '**/services/**', '**/app/**', '**/cli/**', '**/web/**', 'electron', '**/renderer/**'], message: 'cache/ is storage only: services/ joins it to the network.' },
    ),
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    rules: restrict(
      { group: ['**/electron/**', 'electron', 'node:*', 'better-sqlite3'], message: 'The renderer talks to the main process only through the API contract in shared/.' },
    ),
  },
  {
    files: ['renderer/src/lib/**/*.{ts,tsx}', 'renderer/src/transport/**/*.{ts,tsx}'],
    rules: restrict(
      { group: ['**/electron/**', 'electron', 'node:*', 'better-sqlite3'], message: 'The renderer talks to the main process only through the API contract in shared/.' },
      { group: ['**/features/**', '**/app/**'], message: 'lib/ and transport/ serve every screen: they import no feature and not the shell.' },
    ),
  },
  {
    files: ['renderer/src/features/viewer/**/*.{ts,tsx}'],
    rules: restrict(
      { group: ['**/electron/**', 'electron', 'node:*', 'better-sqlite3'], message: 'The renderer talks to the main process only through the API contract in shared/.' },
      { regex: '^\\.\\./[^./]', message: 'The viewer sees only imageIds and the API contract: it imports no other feature (search, transfers…).' },
    ),
  },
  {
    // the viewer's own subfolders (stack-load/) reach the viewer through ../ and another feature through ../../
    files: ['renderer/src/features/viewer/*/**/*.{ts,tsx}'],
    rules: restrict(
      { group: ['**/electron/**', 'electron', 'node:*', 'better-sqlite3'], message: 'The renderer talks to the main process only through the API contract in shared/.' },
      { regex: '^\\.\\./\\.\\./[^./]', message: 'The viewer sees only imageIds and the API contract: it imports no other feature (search, transfers…).' },
    ),
  },
);
