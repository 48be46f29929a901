#!/usr/bin/env node
// Entry point of the `priors` command: the bundled CLI (npm run build, run by `npm ci` via prepare).
import { main } from '../dist/priors-cli.mjs';

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(`priors: ${err instanceof Error ? err.message : String(err)}`); process.exitCode = 1; },
);
