#!/usr/bin/env node
// Bundles, with esbuild:
// - the `priors` command into one ES module (dist/priors-cli.mjs), so that starting it loads one
//   file instead of resolving and compiling hundreds: about 60 ms less per command;
// - the Electron preload into one CommonJS file (dist/preload.cjs): a sandboxed preload can
//   only require 'electron', so the contract's entry list it exposes is bundled in.
// better-sqlite3 stays outside (a native addon).
import { build } from 'esbuild';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

// dcmjs's data dictionary is a 1 MB object literal: as JavaScript it costs every command about
// 50 ms to parse and compile; the same data as a JSON.parse of one string literal is parsed by
// the much faster JSON parser (V8's advice for large data).
const dictionaryAsJson = {
  name: 'dictionary-as-json',
  setup(b) {
    b.onLoad({ filter: /dcmjs[\\/]generate[\\/]dictionary\.mjs$/ }, async (args) => {
      const { default: dictionary } = await import(pathToFileURL(args.path).href);
      const json = JSON.stringify(JSON.stringify(dictionary));
      return { contents: `const dictionary = JSON.parse(${json});\nexport default dictionary;\nexport { dictionary };\n`, loader: 'js' };
    });
  },
};

const root = join(import.meta.dirname, '..');
const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: 'linked', legalComments: 'none', logLevel: 'warning' };
await Promise.all([
  build({
    ...common,
    entryPoints: [join(root, 'electron', 'cli', 'main.ts')],
    outfile: join(root, 'dist', 'priors-cli.mjs'),
    format: 'esm',
    external: ['better-sqlite3'],
    plugins: [dictionaryAsJson],
    // CommonJS dependencies bundled into an ES module still call require() for Node built-ins
    banner: { js: "import { createRequire as __priorsCreateRequire } from 'node:module'; const require = __priorsCreateRequire(import.meta.url);" },
  }),
  build({
    ...common,
    entryPoints: [join(root, 'electron', 'preload', 'preload.ts')],
    outfile: join(root, 'dist', 'preload.cjs'),
    format: 'cjs',
    external: ['electron'],
  }),
]);
