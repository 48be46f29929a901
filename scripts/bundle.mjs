#!/usr/bin/env node
// Bundles, with esbuild:
// - the `priors` command into one ES module (dist/priors-cli.mjs), so that starting it loads one
//   file instead of resolving and compiling hundreds: about 60 ms less per command;
// - the Electron preload into one CommonJS file (dist/preload.cjs): a sandboxed preload can
//   only require 'electron', so the contract's entry list it exposes is bundled in.
// better-sqlite3 stays outside (a native addon).
import { build } from 'esbuild';
import { Buffer } from 'node:buffer';
import { join } from 'node:path';
import { mkdir, writeFile } from 'node:fs/promises';

const root = join(import.meta.dirname, '..');
const DICTIONARY_FILE = 'dicom-dictionary.txt';

// dcmjs's packed data dictionary is 1 MB of data, two thirds of the bundle if it were in it: as
// source it costs every command its decoding and parsing, and building the lookups from it
// costs the first lookup about 40 ms more. It goes beside the bundle instead, in the compact
// form the lookups are built from (shared/dicom/dictionary-source.ts), read by the first lookup
// that needs it; DIMSE commands need none (dictionary.ts).
const dictionarySource = join(root, 'shared', 'dicom', 'dictionary-source.ts');
async function writeDictionaryLines() {
  const compiled = await build({ entryPoints: [dictionarySource], bundle: true, platform: 'node', format: 'esm', write: false, logLevel: 'warning' });
  const { dictionaryLines } = await import(`data:text/javascript;base64,${Buffer.from(compiled.outputFiles[0].text).toString('base64')}`);
  await mkdir(join(root, 'dist'), { recursive: true });
  await writeFile(join(root, 'dist', DICTIONARY_FILE), dictionaryLines());
}
const dictionaryBesideBundle = {
  name: 'dictionary-beside-bundle',
  setup(b) {
    b.onLoad({ filter: /shared[\\/]dicom[\\/]dictionary-source\.ts$/ }, () => ({
      contents:
        "import { readFileSync } from 'node:fs';\n" +
        `export function dictionaryLines() { return readFileSync(new URL('./${DICTIONARY_FILE}', import.meta.url), 'latin1'); }\n`,
      loader: 'js',
    }));
  },
};

const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: 'linked', legalComments: 'none', logLevel: 'warning' };
await Promise.all([
  writeDictionaryLines(),
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
