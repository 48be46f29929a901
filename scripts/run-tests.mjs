#!/usr/bin/env node
// Runs the test tiers named on the command line (unit, integration, interop, e2e) with
// Node's own test runner, TypeScript loaded through tsx. One summary line at the end.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const tiers = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const extra = process.argv.slice(2).filter((a) => a.startsWith('-'));
const files = [];
function walk(dir) {
  let entries;
  try { entries = readdirSync(dir); } catch { return; }
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
const result = spawnSync(process.execPath, [
  '--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...extra, ...files,
], { stdio: 'inherit', env: { ...process.env, TCP_NODELAY: '1' } });
process.exit(result.status ?? 1);
