/**
 * `priors diagnostics [--out FILE.zip]`: the bundle a PACS administrator attaches to a ticket
 * (configuration without secrets, the log files, versions, the data directory's state). Works
 * whether or not Priors is running; it only reads.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { diagnosticsFileName, writeDiagnostics } from '../../services/audit/diagnostics.js';
import { InputError } from '../../services/nodes/nodes.js';
import { expectPositionals, type OptionSpec } from '../args.js';
import type { CommandContext } from '../context.js';

export const DIAGNOSTICS_OPTIONS: readonly OptionSpec[] = [{ name: 'out', kind: 'value' }];

export async function diagnosticsCommand(ctx: CommandContext): Promise<number> {
  expectPositionals(ctx.args, 0, 0, 'priors diagnostics [--out FILE.zip]');
  const now = new Date();
  const out = resolve(ctx.args.values.get('out') ?? diagnosticsFileName(now, (name) => existsSync(name)));
  if (!out.toLowerCase().endsWith('.zip')) throw new InputError(`--out ${out} must name a .zip file`);
  let names: string[];
  try {
    names = await writeDiagnostics(ctx.dirs, out, {}, now);
  } catch (err) {
    throw new InputError(
      `Cannot write the diagnostics bundle to ${out} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): choose another --out.`,
    );
  }
  ctx.result(
    { ok: true, file: out, entries: names },
    `Wrote ${out} (${names.join(', ')}). Passwords and tokens are removed; the logs name AE titles, addresses, UIDs and Patient IDs: send it only where patient data may go.`,
  );
  return 0;
}
