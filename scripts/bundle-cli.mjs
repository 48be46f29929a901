#!/usr/bin/env node
// Bundles the `priors` command into one ES module (dist/priors-cli.mjs), so that starting it
// loads one file instead of resolving and compiling hundreds: about 60 ms less per command
// (see docs/benchmarks.md, start-up). better-sqlite3 stays outside (a native addon).
import { build } from 'esbuild';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
await build({
  entryPoints: [join(root, 'electron', 'cli', 'main.ts')],
  outfile: join(root, 'dist', 'priors-cli.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['better-sqlite3'],
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
  // CommonJS dependencies bundled into an ES module still call require() for Node built-ins
  banner: { js: "import { createRequire as __priorsCreateRequire } from 'node:module'; const require = __priorsCreateRequire(import.meta.url);" },
});
