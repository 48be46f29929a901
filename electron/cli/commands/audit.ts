/**
 * `priors audit [--since ISO] [--what WHAT] [--peer AET] [--patient ID|NAME] [--failed] [--limit N] [--export FILE.csv|FILE.json]`:
 * the audit log, newest first; with --export, written to a file as CSV or as JSON audit
 * messages (PS3.15 A.5 structure). Works beside a running `priors serve` (read-only).
 */
import { writeFileSync } from 'node:fs';
import { AuditOutcome, auditCsv, auditMessage, type AuditFilter, type AuditWhat } from '../../../shared/audit.js';
import { AUDIT_PAGE_MAX, AuditStore } from '../../cache/audit.js';
import { InputError } from '../../services/nodes/nodes.js';
import { openCacheForReading } from '../../services/config/local-cache.js';
import { choiceOption, expectPositionals, intOption, type OptionSpec } from '../args.js';
import type { CommandContext } from '../context.js';
import { table } from '../output.js';

export const AUDIT_OPTIONS: readonly OptionSpec[] = [
  { name: 'since', kind: 'value' },
  { name: 'what', kind: 'value' },
  { name: 'peer', kind: 'value' },
  { name: 'patient', kind: 'value' },
  { name: 'failed', kind: 'flag' },
  { name: 'limit', kind: 'value' },
  { name: 'export', kind: 'value' },
];

const WHATS: readonly AuditWhat[] = [
  'query',
  'retrieve',
  'store',
  'send',
  'delete',
  'import',
  'export',
  'prefetch',
  'association-refused',
  'move-destination-refused',
];

export async function auditCommand(ctx: CommandContext): Promise<number> {
  expectPositionals(
    ctx.args,
    0,
    0,
    'priors audit [--since ISO-DATE] [--what WHAT] [--peer AET] [--patient ID|NAME] [--failed] [--limit N] [--export FILE.csv|FILE.json]',
  );
  const filter: AuditFilter = {};
  const since = ctx.args.values.get('since');
  if (since !== undefined) {
    const t = Date.parse(since);
    if (Number.isNaN(t)) throw new InputError(`--since ${since} is not a date: write it as 2026-11-22 or 2026-11-22T08:00`);
    filter.since = t;
  }
  const what = choiceOption<AuditWhat>(ctx.args, 'what', WHATS);
  if (what) filter.what = what;
  const peer = ctx.args.values.get('peer');
  if (peer) filter.peer = peer;
  const patient = ctx.args.values.get('patient');
  if (patient) filter.patient = patient;
  if (ctx.args.flags.has('failed')) filter.outcome = 'failed';
  const out = ctx.args.values.get('export');
  filter.limit = intOption(ctx.args, 'limit', 1, AUDIT_PAGE_MAX) ?? (out ? AUDIT_PAGE_MAX : 50);
  const config = await ctx.loadConfig();
  const cache = await openCacheForReading(ctx.dataDir); // migrates a new data directory; read-only beside `serve`
  await cache.close();
  const store = AuditStore.open(ctx.dataDir);
  try {
    const { events, total } = store.query(filter);
    if (out) {
      const json = /\.json$/i.test(out);
      writeFileSync(
        out,
        json
          ? JSON.stringify(
              events.map((e) => auditMessage(e, { auditSourceId: config.local.aeTitle })),
              null,
              2,
            )
          : auditCsv(events),
      );
      ctx.result(
        { ok: true, file: out, events: events.length, total },
        `Wrote ${events.length} of ${total} audit events to ${out}${json ? ' (PS3.15 A.5 audit messages as JSON)' : ' (CSV)'}.`,
      );
      return 0;
    }
    const rows = events.map((e) => ({
      when: new Date(e.at).toISOString().replace('T', ' ').slice(0, 19),
      what: e.what,
      outcome: e.outcome === AuditOutcome.Success ? 'ok' : `failed (${e.outcome})`,
      who: `${e.direction === 'incoming' ? '← ' : e.direction === 'outgoing' ? '→ ' : ''}${e.peerAeTitle ?? e.node ?? ''}${e.peerHost ? ` ${e.peerHost}` : ''}`,
      patient: [e.PatientID, e.PatientName].filter(Boolean).join(' '),
      study: e.StudyInstanceUID ?? '',
      instances: e.instances === undefined ? '' : String(e.instances),
    }));
    ctx.result({ ok: true, events, total }, `${table(rows)}\n${events.length} of ${total} audit events.`);
    return 0;
  } finally {
    store.close();
  }
}
