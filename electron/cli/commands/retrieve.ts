/**
 * `priors move <node> -k ... [--dest AET]` and `priors get <node> -k ...`: verified retrieval.
 * A C-MOVE to ourselves goes to the `priors serve` running on the same data directory (found
 * through serve.json) or, without one, to a server this command runs for its duration.
 */
import { checkAeTitle, hasDimse, type RemoteNode } from '../../../shared/config.js';
import { webRetrieveCommand } from './retrieve-web.js';
import { handOffGet } from './get-handoff.js';
import type { DataSet } from '../../../shared/dicom/dataset.js';
import { QUERY_LEVELS, type QueryLevel, type QueryModel } from '../../../shared/dicom/query.js';
import type { Cache } from '../../cache/index.js';
import { localAddressToward } from '../../services/nodes/diagnose.js';
import { cacheOptionsFrom, openCacheForWriting, openCacheReader, type CacheView } from '../../services/config/local-cache.js';
import { CacheStoreHandler, type StoredEvent } from '../../services/local-scp/handlers.js';
import { InputError } from '../../services/nodes/nodes.js';
import { checkIdentifier, deduceLevel, identifierFromKeys, parseKey } from '../../services/query/query-keys.js';
import { searchRemote } from '../../services/query/query.js';
import {
  arrivalFilter,
  countingArrivals,
  eventArrivals,
  retrieve,
  type ArrivalTracker,
  type RetrieveReport,
  type RetrieveSpec,
} from '../../services/retrieve/retrieve.js';
import { startServer, type ServeHandle } from '../../services/local-scp/serve.js';
import { findRunningServer } from '../../services/local-scp/serve-info.js';
import { studySeries } from '../../services/transfers/plan.js';
import { choiceOption, expectPositionals, type OptionSpec } from '../args.js';
import type { CommandContext } from '../context.js';
import { CommandFailure } from '../failure.js';
import { PATIENT_ID, STUDY_INSTANCE_UID } from '../../../shared/dicom/tags.js';

export const RETRIEVE_OPTIONS: readonly OptionSpec[] = [
  { name: 'level', short: 'L', kind: 'value' },
  { name: 'model', short: 'm', kind: 'value' },
  { name: 'key', short: 'k', kind: 'list' },
  { name: 'dest', kind: 'value' },
];

/** Everything opened for one retrieve, closed at the end. */
class Resources {
  cache?: Cache;
  reader?: CacheView;
  server?: ServeHandle;
  async close(): Promise<void> {
    await this.server?.close().catch(() => undefined);
    await this.reader?.close().catch(() => undefined);
    await this.cache?.close().catch(() => undefined);
  }
}

export async function retrieveCommand(ctx: CommandContext, method: 'move' | 'get'): Promise<number> {
  const usage =
    method === 'move'
      ? 'priors move <node> -k Keyword=Value... [-L LEVEL] [-m MODEL] [--dest AET]'
      : 'priors get <node> -k Keyword=Value... [-L LEVEL] [-m MODEL]';
  const [ref] = expectPositionals(ctx.args, 1, 1, usage);
  const node = await ctx.node(ref!, method);
  const config = await ctx.loadConfig();
  const model = choiceOption(ctx.args, 'model', ['study', 'patient', 'patientstudy'] as const, '-m') ?? node.model;
  const identifier = identifierFromKeys((ctx.args.lists.get('key') ?? []).map(parseKey));
  const level: QueryLevel | undefined = choiceOption(ctx.args, 'level', QUERY_LEVELS, '-L') ?? deduceLevel(identifier, model);
  if (!level)
    throw new InputError(
      `Say what to retrieve with a unique key, e.g. -k StudyInstanceUID=<uid> (or SeriesInstanceUID, SOPInstanceUID${model !== 'study' ? ', PatientID' : ''})`,
    );
  checkIdentifier(identifier, model, level, method);
  if (method === 'get' && ctx.args.values.has('dest')) throw new InputError('--dest applies to move only: C-GET always delivers to this workstation');
  if (!hasDimse(node) || node.method === 'wado') {
    if (ctx.args.values.has('dest')) throw new InputError(`--dest needs C-MOVE: ${node.name} is retrieved from by WADO-RS, into this workstation`);
    return webRetrieveCommand(ctx, node, level, identifier);
  }

  const res = new Resources();
  try {
    const served = await findRunningServer(ctx.dataDir);
    const localHost = await localAddressToward(node.host);
    const filter = arrivalFilter(identifier);
    let arrivals: ArrivalTracker | undefined;
    let localAe = served?.aeTitle ?? config.local.aeTitle;
    let localPort = served?.port ?? config.local.port;
    let destination: string | undefined;
    const listeners = new Set<(e: StoredEvent) => void>();
    let store: CacheStoreHandler | undefined;

    if (method === 'move') {
      const destArg = ctx.args.values.get('dest');
      if (destArg !== undefined) {
        const v = checkAeTitle(destArg);
        if (!v.ok) throw new InputError(`--dest ${v.error}`);
        destination = v.value;
      } else destination = localAe;
      const toUs = destination === localAe;
      if (toUs && served) {
        res.reader = openCacheReader(ctx.dataDir);
        const studies = filter.studies ? [...filter.studies] : await studiesOfPatient(ctx, node, model, identifier);
        arrivals = countingArrivals(res.reader, studies);
      } else if (toUs) {
        res.cache = await openCacheForWriting(
          ctx.dataDir,
          'close the other Priors process, or run "priors serve" and move through it',
          cacheOptionsFrom(config),
        );
        res.server = await startServer({ config, cache: res.cache, log: ctx.log, queryRetrieve: false });
        localPort = res.server.port;
        arrivals = eventArrivals(res.server.storedListeners, filter, { cache: res.cache, moveOriginatorAeTitle: config.local.aeTitle });
      }
    } else {
      if (served?.api) return await handOffGet(ctx, node, level, identifier);
      res.cache = await openCacheForWriting(
        ctx.dataDir,
        'stop "priors serve" while using "priors get", or use "priors move", which works alongside it',
        cacheOptionsFrom(config),
      );
      store = new CacheStoreHandler(res.cache, (e) => {
        for (const l of listeners) l(e);
      });
      arrivals = eventArrivals(listeners, filter, { cache: res.cache });
      localAe = config.local.aeTitle;
    }
    ctx.failure = { ...ctx.failure, local: { aeTitle: localAe, host: localHost, port: localPort } };
    const spec: RetrieveSpec = { node, method, model, level, identifier, ...(destination ? { destination } : {}) };
    const scu = await ctx.scuOptions();
    // a study to this workstation: its series side by side, on as many associations as the node allows
    const studies = filter.studies ? [...filter.studies] : [];
    const parts =
      level === 'STUDY' && studies.length === 1 && arrivals && node.maxAssociations > 1
        ? await studySeries(node, studies[0]!, scu).catch(() => undefined)
        : undefined;
    const report = await retrieve(spec, {
      scu,
      ...(parts && parts.length > 1 ? { parts: { level: 'SERIES', identifiers: parts.map((p) => p.identifier), concurrency: node.maxAssociations } } : {}),
      ...(arrivals ? { arrivals } : {}),
      ...(store ? { store } : {}),
      local: { aeTitle: localAe, host: localHost, port: localPort },
      onProgress: (p) => ctx.log('debug', `${method}: ${p.completed} completed, ${p.failed} failed, ${p.warning} warning, ${p.remaining ?? '?'} remaining`),
    });
    return finish(ctx, report, node.aeTitle);
  } finally {
    await res.close();
  }
}

/** The studies a PATIENT-level retrieve covers, asked of the node (to count their arrivals). */
async function studiesOfPatient(ctx: CommandContext, node: RemoteNode, model: QueryModel, identifier: DataSet): Promise<string[]> {
  const keys: DataSet = new Map();
  const patientId = identifier.get(PATIENT_ID);
  if (patientId) keys.set(PATIENT_ID, patientId);
  keys.set(STUDY_INSTANCE_UID, { vr: 'UI', value: [] });
  const result = await searchRemote(node, { model, level: 'STUDY', keys, defaultReturnKeys: false }, await ctx.scuOptions());
  return result.rows.map((r) => r.StudyInstanceUID).filter((u): u is string => !!u);
}

function finish(ctx: CommandContext, report: RetrieveReport, calledAe: string): number {
  const n = report.claimed.completed + report.claimed.warning;
  if (report.verdict !== 'complete') {
    throw new CommandFailure(report.diagnosis ?? { code: report.verdict, sentence: `The retrieve from ${calledAe} ended ${report.verdict}.` }, { ...report });
  }
  const what = report.method === 'move' ? `C-MOVE to ${report.destination}` : 'C-GET';
  let human: string;
  if (n === 0) human = `${calledAe} found nothing to retrieve for these keys.`;
  else if (report.arrived === undefined)
    human = `${calledAe} reports ${n} instance${n === 1 ? '' : 's'} sent by ${what} (not verified: the destination is not this workstation).`;
  else human = `Retrieved ${report.arrived} instance${report.arrived === 1 ? '' : 's'} from ${calledAe} by ${what}; all ${n} the PACS reported arrived.`;
  ctx.result({ ok: true, ...report }, human);
  return 0;
}
