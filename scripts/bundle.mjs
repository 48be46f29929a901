#!/usr/bin/env node
// Bundles, with esbuild:
// - the `priors` command into one ES module (dist/priors-cli.mjs), so that starting it loads one
//   file instead of resolving and compiling hundreds: about 60 ms less per command;
// - the Electron preload into one CommonJS file (dist/preload.cjs): a sandboxed preload can
//   only require 'electron', so the contract's entry list it exposes is bundled in.
// better-sqlite3 stays outside (a native addon).
import { build } from 'esbuild';
import { join } from 'node:path';
import { mkdir, writeFile } from 'node:fs/promises';

const root = join(import.meta.dirname, '..');
const DICTIONARY_FILE = 'dicom-dictionary.json';

// dcmjs's data dictionary is 1 MB of data, two thirds of the bundle if it were in it: as source
// it costs every command its decoding and parsing, and its JSON.parse at start-up. It goes
// beside the bundle as JSON instead, parsed by the first lookup that needs it
// (shared/dicom/dictionary-source.ts; DIMSE commands need none, see dictionary.ts).
const dictionaryBesideBundle = {
  name: 'dictionary-beside-bundle',
  setup(b) {
    b.onLoad({ filter: /shared[\\/]dicom[\\/]dictionary-source\.ts$/ }, async () => {
      const { default: dictionary } = await import('dcmjs/dictionary');
      await mkdir(join(root, 'dist'), { recursive: true });
      await writeFile(join(root, 'dist', DICTIONARY_FILE), JSON.stringify(dictionary));
      return {
        contents: "import { readFileSync } from 'node:fs';\n" +
          `export function loadDictionary() { return JSON.parse(readFileSync(new URL('./${DICTIONARY_FILE}', import.meta.url), 'utf8')); }\n`,
        loader: 'js',
      };
    });
  },
};

const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: 'linked', legalComments: 'none', logLevel: 'warning' };
await Promise.all([
  build({
    ...common,
    entryPoints: [join(root, 'electron', 'cli', 'main.ts')],
    outfile: join(root, 'dist', 'priors-cli.mjs'),
    format: 'esm',
    external: ['better-sqlite3'],
    plugins: [dictionaryBesideBundle],
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
