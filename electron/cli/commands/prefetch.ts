/**
 * `priors prefetch`: the rules (`rules ls|add|rm`), the body-part synonyms (`synonyms ls|add|rm`),
 * a look for one patient's priors (`--patient ID [--issuer X] [--study UID] [--dry-run]`, each
 * candidate with its reason), the last runs (`runs`), and a worklist poll now (`worklist <node>`).
 * With a `priors serve` running on the data directory the work is handed to it; without, this
 * command runs the retrieves itself (with its own SCP as the C-MOVE destination) and waits.
 */
import { describeRule, type PrefetchCandidate, type PrefetchRuleInput, type PrefetchRun } from '../../../shared/prefetch.js';
import { InputError } from '../../services/nodes/nodes.js';
import { openApiSession, type ApiSession } from '../api-session.js';
import { expectPositionals, intOption, UsageError, type OptionSpec } from '../args.js';
import type { CommandContext } from '../context.js';
import { table } from '../output.js';

export const PREFETCH_OPTIONS: readonly OptionSpec[] = [
  { name: 'patient', kind: 'value' },
  { name: 'issuer', kind: 'value' },
  { name: 'study', kind: 'value' },
  { name: 'dry-run', kind: 'flag' },
  { name: 'no-wait', kind: 'flag' },
  { name: 'node', kind: 'value' },
  { name: 'same-modality', kind: 'flag' },
  { name: 'modalities', kind: 'value' },
  { name: 'for', kind: 'value' },
  { name: 'same-body-part', kind: 'flag' },
  { name: 'max', kind: 'value' },
  { name: 'years', kind: 'value' },
  { name: 'min-gap-days', kind: 'value' },
  { name: 'all-studies', kind: 'flag' },
  { name: 'disabled', kind: 'flag' },
  { name: 'replace', kind: 'flag' },
  { name: 'limit', kind: 'value' },
];

export const PREFETCH_USAGE = [
  'priors prefetch --patient <ID> [--issuer X] [--study UID] [--dry-run] [--no-wait] [--json]',
  'priors prefetch rules add <name> [--node <node>[,<node>…]] [--same-modality | --modalities CT,MR] [--same-body-part] [--max N] [--years N] [--all-studies] [--for CT,MR] [--min-gap-days N] [--disabled] [--replace]',
  'priors prefetch rules ls | rules rm <name>',
  'priors prefetch synonyms ls | synonyms add <WORD> <WORD>... | synonyms rm <WORD>',
  'priors prefetch runs [--patient ID] [--limit N] | worklist <node>',
];

function list(raw: string | undefined): string[] | undefined {
  return raw === undefined
    ? undefined
    : raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
}

function usage(): never {
  throw new UsageError(`usage is "${PREFETCH_USAGE.join('" or "')}"`);
}

export async function prefetchCommand(ctx: CommandContext): Promise<number> {
  const [sub, ...rest] = ctx.args.positionals;
  const args = { ...ctx.args, positionals: rest };
  if (sub === undefined) {
    if (!ctx.args.values.has('patient')) usage();
    return runCommand(ctx);
  }
  if (ctx.args.values.has('patient') && sub !== 'runs') throw new InputError('--patient goes with "priors prefetch" alone (or "prefetch runs")');
  switch (sub) {
    case 'rules':
      return rulesCommand(ctx, args.positionals);
    case 'synonyms':
      return synonymsCommand(ctx, args.positionals);
    case 'runs': {
      expectPositionals(args, 0, 0, PREFETCH_USAGE[4]!);
      return withSession(ctx, false, async (api) => {
        const patient = ctx.args.values.get('patient');
        const { runs } = await api.call('prefetch.runs', { limit: intOption(ctx.args, 'limit', 1, 500) ?? 20, ...(patient ? { PatientID: patient } : {}) });
        ctx.result(
          { ok: true, runs },
          runs.length
            ? table(
                runs.map((r) => ({
                  started: new Date(r.startedAt).toISOString().slice(0, 19).replace('T', ' '),
                  trigger: r.trigger,
                  patient: r.PatientID,
                  state: r.state,
                  sentence: r.sentence,
                })),
              )
            : 'No prefetch has run yet.',
        );
        return 0;
      });
    }
    case 'worklist': {
      const [node] = expectPositionals(args, 1, 1, PREFETCH_USAGE[4]!);
      return withSession(ctx, true, async (api) => {
        const poll = await api.call('prefetch.pollWorklist', { node: node! });
        if (poll.error) throw new InputError(poll.error);
        ctx.result(
          { ok: true, ...poll },
          `${poll.node}: ${poll.procedures} procedure${poll.procedures === 1 ? '' : 's'} scheduled soon, prefetch started for ${poll.started} new one${poll.started === 1 ? '' : 's'}.`,
        );
        return 0;
      });
    }
    default:
      return usage();
  }
}

async function withSession(ctx: CommandContext, server: boolean, work: (api: ApiSession) => Promise<number>): Promise<number> {
  const api = await openApiSession(ctx, { server });
  try {
    return await work(api);
  } finally {
    await api.close();
  }
}

async function rulesCommand(ctx: CommandContext, positionals: string[]): Promise<number> {
  const [verb, ...rest] = positionals;
  return withSession(ctx, false, async (api) => {
    if (verb === 'ls' && rest.length === 0) {
      const { rules } = await api.call('prefetch.rules', {});
      ctx.result(
        { ok: true, rules },
        rules.length
          ? table(rules.map((r) => ({ name: r.name, enabled: r.enabled ? 'yes' : 'no', rule: describeRule(r) })))
          : 'No prefetch rules: add one with "priors prefetch rules add <name> --same-modality --same-body-part".',
      );
      return 0;
    }
    if (verb === 'rm' && rest.length === 1) {
      const { deleted } = await api.call('prefetch.deleteRule', { name: rest[0]! });
      if (!deleted) throw new InputError(`No prefetch rule is named "${rest[0]}"; "priors prefetch rules ls" lists them`);
      ctx.result({ ok: true, removed: rest[0] }, `Removed prefetch rule ${rest[0]}.`);
      return 0;
    }
    if (verb === 'add' && rest.length === 1) {
      const name = rest[0]!;
      const modalities = list(ctx.args.values.get('modalities'));
      if (modalities && ctx.args.flags.has('same-modality')) throw new InputError('Give --same-modality or --modalities, not both');
      const rule: PrefetchRuleInput = {
        name,
        enabled: !ctx.args.flags.has('disabled'),
        nodes: list(ctx.args.values.get('node')) ?? [],
        modalities: ctx.args.flags.has('same-modality') ? 'same' : (modalities ?? 'any'),
        sameBodyPart: ctx.args.flags.has('same-body-part'),
        allStudies: ctx.args.flags.has('all-studies'),
        forModalities: list(ctx.args.values.get('for')) ?? [],
        ...(ctx.args.values.has('max') ? { maxStudies: intOption(ctx.args, 'max', 1, 100)! } : {}),
        ...(ctx.args.values.has('years') ? { years: intOption(ctx.args, 'years', 1, 100)! } : {}),
        ...(ctx.args.values.has('min-gap-days') ? { minGapDays: intOption(ctx.args, 'min-gap-days', 1, 36500)! } : {}),
      };
      const { rules: before } = await api.call('prefetch.rules', {});
      const held = before.find((r) => r.name.toLowerCase() === name.toLowerCase());
      if (held && !ctx.args.flags.has('replace'))
        throw new InputError(`A prefetch rule named "${held.name}" exists: add --replace to change it, or choose another name`);
      const { rules } = await api.call('prefetch.saveRule', { rule, ...(held ? { previousName: held.name } : {}) });
      const saved = rules.find((r) => r.name.toLowerCase() === name.toLowerCase())!;
      ctx.result(
        { ok: true, rule: saved, rules },
        `${held ? 'Replaced' : 'Added'} prefetch rule ${saved.name}: ${describeRule(saved)}${saved.enabled ? '' : ' (disabled)'}.`,
      );
      return 0;
    }
    return usage();
  });
}

async function synonymsCommand(ctx: CommandContext, positionals: string[]): Promise<number> {
  const [verb, ...words] = positionals;
  return withSession(ctx, false, async (api) => {
    const { synonyms } = await api.call('prefetch.rules', {});
    if (verb === 'ls' && words.length === 0) {
      ctx.result({ ok: true, synonyms }, synonyms.map((g) => g.join(' = ')).join('\n'));
      return 0;
    }
    const upper = words.map((w) => w.trim().toUpperCase());
    if (verb === 'add' && upper.length >= 1) {
      // the words join the group of the first word already known, or make a new group
      const at = synonyms.findIndex((g) => g.some((w) => upper.includes(w)));
      const next = synonyms.map((g) => [...g]);
      if (at >= 0) next[at] = [...new Set([...next[at]!, ...upper])];
      else next.push(upper);
      const saved = await api.call('prefetch.saveSynonyms', { synonyms: next });
      const group = saved.synonyms.find((g) => g.includes(upper[0]!))!;
      ctx.result({ ok: true, synonyms: saved.synonyms }, `Body part ${group[0]}: ${group.join(' = ')}.`);
      return 0;
    }
    if (verb === 'rm' && upper.length === 1) {
      if (!synonyms.some((g) => g.includes(upper[0]!))) throw new InputError(`"${upper[0]}" is not in the synonym table`);
      const next = synonyms.map((g) => g.filter((w) => w !== upper[0])).filter((g) => g.length > 0);
      const saved = await api.call('prefetch.saveSynonyms', { synonyms: next });
      ctx.result({ ok: true, synonyms: saved.synonyms }, `Removed ${upper[0]} from the synonym table.`);
      return 0;
    }
    return usage();
  });
}

const LABEL: Readonly<Record<PrefetchCandidate['decision'], string>> = {
  fetch: 'FETCH',
  cached: 'CACHED',
  'in-transfer': 'RETRIEVING',
  skip: 'SKIP',
  conflict: 'CONFLICT',
};

/** The run as people read it: the current study, the sentence, then each earlier study with its reason. */
export function describeRun(run: PrefetchRun): string {
  const who = `${run.PatientName ? `${run.PatientName.replace(/\^+$/, '')} ` : ''}(${run.PatientID}${run.IssuerOfPatientID ? `, issuer ${run.IssuerOfPatientID}` : ''})`;
  const c = run.current;
  const current = c
    ? `${c.modalities.join('/') || '?'} ${c.bodyParts.join('/') || ''} ${c.StudyDescription ?? ''} of ${c.StudyDate ?? 'today'} (${c.source === 'cache' ? 'in the cache' : c.source === 'worklist' ? `scheduled on ${c.node}` : `newest, on ${c.node}`})`.replace(
        /\s+/g,
        ' ',
      )
    : 'none found';
  const lines = [`Prefetch${run.dryRun ? ' (dry run)' : ''} for ${who}; current study: ${current}`, run.sentence];
  const rows = run.candidates.map((x) => ({
    decision: LABEL[x.decision] + (x.jobState && x.decision === 'fetch' ? ` (${x.jobState})` : ''),
    date: x.StudyDate ?? '',
    modality: x.modalities.join('/'),
    body: x.bodyParts.join('/'),
    description: x.StudyDescription ?? '',
    from: x.node ?? x.foundOn.join(','),
    reason: x.reason,
  }));
  if (rows.length) lines.push(table(rows, ['decision', 'date', 'modality', 'body', 'description', 'from', 'reason']));
  for (const n of run.nodes) if (n.outcome !== 'ok') lines.push(`${n.node}: ${n.sentence}`);
  return lines.join('\n');
}

async function runCommand(ctx: CommandContext): Promise<number> {
  const patient = ctx.args.values.get('patient')!.trim();
  if (!patient) throw new InputError('--patient needs a Patient ID');
  const issuer = ctx.args.values.get('issuer');
  const study = ctx.args.values.get('study');
  const dryRun = ctx.args.flags.has('dry-run');
  return withSession(ctx, !dryRun, async (api) => {
    let { run } = await api.call('prefetch.run', {
      PatientID: patient,
      ...(issuer ? { IssuerOfPatientID: issuer } : {}),
      ...(study ? { StudyInstanceUID: study } : {}),
      ...(dryRun ? { dryRun } : {}),
    });
    // this command's own core stops its retrieves when it closes: it always waits for them
    if (run.state === 'running' && (!api.remote || !ctx.args.flags.has('no-wait'))) run = await waitForRun(ctx, api, run);
    ctx.result({ ok: true, run }, describeRun(run));
    return run.state === 'failed' || run.state === 'stopped' ? 1 : 0;
  });
}

/** Until the run's retrieves have ended (or the command is interrupted). */
function waitForRun(ctx: CommandContext, api: ApiSession, run: PrefetchRun): Promise<PrefetchRun> {
  return new Promise((resolve) => {
    let latest = run;
    let timer: NodeJS.Timeout | undefined;
    const finish = () => {
      off();
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', finish);
      resolve(latest);
    };
    const off = api.subscribe((e) => {
      if (e.type !== 'prefetch.run' || e.run.id !== run.id || e.run.revision < latest.revision) return;
      latest = e.run;
      if (latest.state !== 'running') finish();
    });
    ctx.signal.addEventListener('abort', finish, { once: true });
    if (!api.remote) return;
    const poll = async () => {
      try {
        const { runs } = await api.call('prefetch.runs', { PatientID: run.PatientID, limit: 50 });
        const now = runs.find((r) => r.id === run.id);
        if (now) latest = now;
        if (!now || now.state !== 'running') return finish();
      } catch {
        return finish();
      }
      timer = setTimeout(() => {
        void poll();
      }, 500);
    };
    void poll();
  });
}
