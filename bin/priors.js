#!/usr/bin/env -S node --max-semi-space-size=2
// Entry point of the `priors` command: the bundled CLI (npm run build, run by `npm ci` via prepare).
// --max-semi-space-size=2 (MiB): a small young generation keeps a long `priors serve` near 80 MB
// of RSS instead of 110 at the same speed (docs/benchmarks.md); npm scripts pass it too.
import { main } from '../dist/priors-cli.mjs';

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(`priors: ${err instanceof Error ? err.message : String(err)}`); process.exitCode = 1; },
);
