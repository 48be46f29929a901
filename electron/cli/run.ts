#!/usr/bin/env node
// Runs the `priors` CLI from source or dist: `node --import tsx electron/cli/run.ts <args>` (tests)
// or `node dist/electron/cli/run.js <args>`.
import { main } from './main.js';

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
