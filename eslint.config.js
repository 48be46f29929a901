// Lint rules, chiefly the import boundaries of the architecture:
// renderer → shared ← electron; electron/dimse knows nothing of the cache, services or Electron;
// only the shell files import 'electron'.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const electronShell = ['electron/main.ts', 'electron/window.ts', 'electron/shell/**', 'electron/preload/**', 'electron/ipc/**'];

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
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['**/electron/**', 'electron', '**/renderer/**', 'node:*', 'better-sqlite3'], message: 'shared/ is pure code used by both sides: no Node, Electron or renderer imports.' },
      ] }],
    },
  },
  // The generic rule first: the specific ones below override it for their folders (and repeat it).
  {
    files: ['electron/**/*.ts'],
    ignores: electronShell,
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['electron', '**/renderer/**'], message: 'Only the shell files (main.ts, window.ts, shell/, preload/, ipc/) import electron.' },
      ] }],
    },
  },
  {
    files: ['electron/dimse/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['**/cache/**', '**/services/**', '**/cli/**', '**/web/**', 'electron', 'better-sqlite3', '**/renderer/**'], message: 'dimse/ is the network layer: it knows nothing of SQLite, services or Electron.' },
      ] }],
    },
  },
  {
    files: ['electron/cache/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['**/dimse/**', '**/services/**', '**/cli/**', 'electron', '**/renderer/**'], message: 'cache/ is storage only: services/ joins it to the network.' },
      ] }],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['**/electron/**', 'electron', 'node:*', 'better-sqlite3'], message: 'The renderer talks to the main process only through the API contract in shared/.' },
      ] }],
    },
  },
);
