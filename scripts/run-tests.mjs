#!/usr/bin/env node
// Runs the test tiers named on the command line (unit, integration, interop, e2e) with
// Node's own test runner, TypeScript loaded through tsx. One summary line at the end.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const tiers = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const extra = process.argv.slice(2).filter((a) => a.startsWith('-'));
const files = [];
function walk(dir) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of entries.sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith('.test.ts')) files.push(path);
  }
}
for (const tier of tiers.length ? tiers : ['unit']) walk(join('test', tier));
if (files.length === 0) {
  console.error(`no test files under test/{${tiers.join(',')}}`);
  process.exit(1);
}
// spec for people on stdout; a TAP copy to count from, so the last line is the plain summary
const tapDir = mkdtempSync(join(tmpdir(), 'priors-tests-'));
const tapFile = join(tapDir, 'results.tap');
const result = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=1',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tapFile}`,
    ...extra,
    ...files,
  ],
  { stdio: 'inherit', env: { ...process.env, TCP_NODELAY: '1' } },
);
let tap = '';
try {
  tap = readFileSync(tapFile, 'utf8');
} catch {
  /* the runner died before writing */
}
rmSync(tapDir, { recursive: true, force: true });
const count = (name) => [...tap.matchAll(new RegExp(`^# ${name} (\\d+)$`, 'gm'))].reduce((n, m) => n + Number(m[1]), 0);
const passed = count('pass');
const failed = count('fail') + count('cancelled');
const skipped = count('skipped');
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(result.status ?? 1);
