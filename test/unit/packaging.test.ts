// The electron-builder configuration (npm run dist cannot run here: no Electron binary
// download): it validates against electron-builder's own JSON schema, and keeps the
// invariants the app needs to start once packaged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const ROOT = join(import.meta.dirname, '..', '..');
const yaml = require('js-yaml') as { load(text: string): unknown };
const Ajv = require('ajv') as new (o: object) => { compile(schema: object): ((data: unknown) => boolean) & { errors?: unknown[] } };
interface Target {
  target: string[];
  icon: string;
}
interface BuilderConfig {
  asar: boolean;
  asarUnpack: string[];
  npmRebuild: boolean;
  buildDependenciesFromSource: boolean;
  files: string[];
  extraMetadata: { main: string };
  linux: Target;
  win: Target;
  mac: Target;
}
const config = yaml.load(readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8')) as BuilderConfig;
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  main: string;
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

test("electron-builder.yml is valid against electron-builder's schema", () => {
  const schema = JSON.parse(readFileSync(require.resolve('app-builder-lib/scheme.json'), 'utf8'));
  const validate = new Ajv({ allErrors: true, schemaId: 'auto', jsonPointers: true }).compile(schema);
  assert.ok(validate(config), JSON.stringify(validate.errors, null, 2));
});

test('better-sqlite3 is rebuilt for Electron and kept outside the asar', () => {
  assert.equal(config.asar, true);
  assert.ok(
    config.asarUnpack.some((g) => g.includes('better-sqlite3')),
    'better-sqlite3 unpacked',
  );
  assert.equal(config.npmRebuild, true);
  assert.equal(config.buildDependenciesFromSource, true);
  assert.ok(Object.keys(pkg.dependencies).includes('better-sqlite3'), 'a runtime dependency, so it is packaged');
  assert.ok(Object.keys(pkg.devDependencies).includes('electron'), 'electron is a devDependency (electron-builder requires it)');
});

test('targets: AppImage and deb, NSIS, dmg; icon in build/', () => {
  assert.deepEqual(config.linux.target, ['AppImage', 'deb']);
  assert.deepEqual(config.win.target, ['nsis']);
  assert.deepEqual(config.mac.target, ['dmg']);
  for (const os of ['linux', 'win', 'mac'] as const) assert.ok(existsSync(join(ROOT, config[os].icon)), `${os} icon exists`);
});

test('what the packaged app loads is what the build writes and the files list keeps', () => {
  assert.equal(config.extraMetadata.main, pkg.main);
  assert.equal(pkg.main, 'dist/electron/main.js', 'tsc -p tsconfig.build.json writes electron/main.ts there');
  const tsconfig = JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8'));
  assert.equal(tsconfig.compilerOptions.outDir.replace(/^\.\//, ''), 'dist');
  const files = config.files;
  for (const needed of ['dist/**', 'renderer/dist/**', 'package.json']) assert.ok(files.includes(needed), `files keeps ${needed}`);
  // main.ts loads the preload bundle and the renderer from these paths (see electron/main.ts)
  const main = readFileSync(join(ROOT, 'electron', 'main.ts'), 'utf8');
  assert.match(main, /join\(ROOT, 'dist', 'preload\.cjs'\)/);
  assert.match(main, /join\(ROOT, 'renderer', 'dist'\)/);
  assert.match(readFileSync(join(ROOT, 'scripts', 'bundle.mjs'), 'utf8'), /'dist', 'preload\.cjs'/);
  assert.match(pkg.scripts.dist, /electron-builder --config electron-builder\.yml/);
});
