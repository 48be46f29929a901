/**
 * The object behind the API contract (shared/api/contract.ts): one method per entry, each calling the
 * existing services (config store, cache, query, retrieve, send, transfer queue), answering
 * with Result data, and the events pushed to subscribers (search matches, send progress,
 * activity log lines, transfer jobs). Built in a composition root from its dependencies.
 */
import {
  API_ENTRIES,
  isEntryName,
  settingsOf,
  type ApiEvent,
  type ValueOrigin,
  type ApiHandlers,
  type EntryName,
  type RequestOf,
  type ResponseOf,
  type Result,
} from '../../shared/api/contract.js';
import { type Config, defaultConfig, findNode, nodeProtocol, validateNode } from '../../shared/config.js';
import { keepStoredSecret, maskSecrets } from '../../shared/dicomweb-config.js';
import { sendByStow, stowFailureSentence } from '../services/dicomweb/send-web.js';
import { diagnose } from '../../shared/diagnostics.js';
import { toApiError } from '../../shared/errors.js';
import { AppEnv, type AppCoreDeps, type LocalKey } from './env.js';
import { testNode } from './node-test.js';
import { auditCsv, auditMessage } from '../../shared/audit.js';
import { AUDIT_PAGE_MAX } from '../cache/audit.js';
import { ApiFailure, errorOf, fail, ok } from './result.js';
import { SearchRunner } from './search.js';
import { PrefetchEntries } from './prefetch.js';
import { ExportEntries } from './export.js';
import { viewerInstances, viewerPriors } from './viewer.js';
import { ViewerHolds } from './viewer-holds.js';
import { ConfigError } from '../services/config/config-store.js';
import { describeStatus, type FailureContext } from '../services/nodes/diagnose.js';
import { firstFailure, sendInstances } from '../services/send/send.js';
import type { OperationEvent, OperationListener } from './operations.js';
import { ArrivalEvents } from './arrivals.js';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DIAGNOSTICS_NAME, diagnosticsFileName, writeDiagnostics } from '../services/audit/diagnostics.js';
import { logTail } from '../services/audit/log-file.js';
import type { PriorsDirs } from '../services/config/dirs.js';

/** Bytes of the log's end the Activity screen shows by default. */
const LOG_TAIL_BYTES = 256 * 1024;
/** The data directory's folder of saved diagnostics bundles. */
const DIAGNOSTICS_DIR = 'diagnostics';

export type { AppCoreDeps, TransferService } from './env.js';
export type { OperationEvent, OperationListener } from './operations.js';

const LOCAL_KEYS: readonly LocalKey[] = ['aeTitle', 'port', 'bindAddress'];

/** The app core. `close()` it before closing its dependencies. */
export class AppCore implements ApiHandlers {
  private readonly env: AppEnv;
  private readonly listeners = new Set<(e: ApiEvent) => void>();
  private readonly operations = new Set<OperationListener>();
  private readonly searches: SearchRunner;
  private readonly unsubscribe: (() => void)[] = [];
  private sends = 0;
  private readonly holds: ViewerHolds;
  private readonly prefetch: PrefetchEntries;
  private readonly exports: ExportEntries;

  constructor(deps: AppCoreDeps) {
    this.env = new AppEnv(deps);
    this.holds = new ViewerHolds(deps.cache);
    this.searches = new SearchRunner(this.env, (e) => this.emit(e));
    this.prefetch = new PrefetchEntries(this.env);
    this.exports = new ExportEntries(this.env, (e) => this.emit(e));
    this.unsubscribe.push(deps.activity.on((line) => this.emit({ type: 'log', line })));
    if (deps.transfers) this.unsubscribe.push(deps.transfers.on((e) => this.emit(e)));
    if (deps.prefetch) this.unsubscribe.push(deps.prefetch.prefetcher.on((e) => this.emit(e)));
    const { server } = deps;
    if (server) {
      const arrivals = new ArrivalEvents((e) => this.emit(e));
      server.storedListeners.add(arrivals.onStored);
      this.unsubscribe.push(() => {
        server.storedListeners.delete(arrivals.onStored);
        arrivals.close();
      });
    }
  }

  /** Subscribes to every event; returns the unsubscribe function. */
  subscribe(listener: (e: ApiEvent) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Subscribes to the entries answered that the audit trail records; returns the unsubscribe function. */
  onOperation(listener: OperationListener): () => void {
    this.operations.add(listener);
    return () => {
      this.operations.delete(listener);
    };
  }

  /**
   * Calls an entry by name with an unchecked payload (what a transport received): unknown
   * names and bad payloads answer with 'unknown-entry' and 'invalid-payload'. Never rejects.
   */
  async invoke(name: string, payload: unknown): Promise<Result<unknown>> {
    if (!isEntryName(name)) return fail('unknown-entry', `There is no API entry named "${name.slice(0, 64)}".`);
    let request: RequestOf<EntryName>;
    try {
      request = API_ENTRIES[name].parse(payload);
    } catch (err) {
      return { ok: false, error: errorOf(err) };
    }
    const handler = this[name] as (r: typeof request) => Promise<Result<unknown>>;
    return handler.call(this, request);
  }

  /** Stops the running searches and drops the subscribers. */
  close(): void {
    this.searches.cancelAll();
    this.holds.close();
    for (const off of this.unsubscribe) off();
    this.listeners.clear();
    this.operations.clear();
  }

  private emit(e: ApiEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(e);
      } catch {
        // one subscriber's failure must not stop the others
      }
    }
  }

  /** Tells the operation listeners, then hands the answer back. */
  private done<E extends OperationEvent>(e: E): E['result'] {
    for (const listener of this.operations) {
      try {
        listener(e);
      } catch {
        // a listener's failure must not change the answer
      }
    }
    return e.result;
  }

  /** Runs a handler body: values become ok, throws become the error of the catalog. */
  private async answer<T>(work: () => Promise<T>, context: () => FailureContext = () => ({})): Promise<Result<T>> {
    try {
      return ok(await work());
    } catch (err) {
      return { ok: false, error: errorOf(err, context()) };
    }
  }

  'settings.get'(): Promise<Result<ResponseOf<'settings.get'>>> {
    return this.answer(async () => {
      const config = await this.env.config();
      const { server, serverProblem } = this.env.deps;
      return {
        settings: settingsOf(config),
        server: {
          listening: !!server,
          aeTitle: this.env.aeTitle(config),
          ...(server ? { host: server.host, port: server.port, state: 'listening' as const } : {}),
          ...(!server && serverProblem ? { state: serverProblem.state, message: serverProblem.message, port: config.local.port } : {}),
          origin: this.localOrigin(config),
        },
      };
    });
  }

  'settings.save'(req: RequestOf<'settings.save'>): Promise<Result<ResponseOf<'settings.save'>>> {
    return this.answer(async () => {
      const before = await this.env.config();
      const saved = await this.env.deps.store.update((config) => {
        // replace every setting (an optional one absent from the request is unset), keep the nodes
        for (const key of Object.keys(config) as (keyof typeof config)[]) if (key !== 'nodes') delete config[key];
        Object.assign(config, structuredClone(req.settings));
      });
      this.env.deps.cache.setLimits({ maxBytes: saved.quotaBytes, minFreeBytes: saved.minFreeBytes }); // the limits apply at once
      // against what the server runs with (flags of `priors serve` included), not against the file alone
      const running = this.env.deps.local?.started;
      const restartRequired = running
        ? LOCAL_KEYS.some((k) => saved.local[k] !== running[k]) || JSON.stringify(before.local.tls) !== JSON.stringify(saved.local.tls)
        : JSON.stringify(before.local) !== JSON.stringify(saved.local);
      return { settings: settingsOf(saved), restartRequired };
    });
  }

  'nodes.list'(): Promise<Result<ResponseOf<'nodes.list'>>> {
    // secrets never leave the main process whole: the UI sees that one is set
    return this.answer(async () => ({ nodes: (await this.env.config()).nodes.map(maskSecrets) }));
  }

  'nodes.save'(req: RequestOf<'nodes.save'>): Promise<Result<ResponseOf<'nodes.save'>>> {
    return this.answer(async () => {
      const v = validateNode(req.node, 'node');
      if (!v.ok) throw new ConfigError(v.error);
      let node = v.value;
      await this.env.deps.store.update((config) => {
        const previous = req.previousName !== undefined ? findNode(config, req.previousName) : undefined;
        // a secret the UI never saw (it was masked) is kept as stored
        node = keepStoredSecret(node, previous ?? findNode(config, node.name));
        if (req.previousName !== undefined && !previous)
          throw new ApiFailure({ code: 'not-found', message: `No node named "${req.previousName}" is configured.` });
        const clash = findNode(config, node.name);
        if (clash && previous && clash !== previous) throw new ConfigError(`A node named "${clash.name}" already exists: choose another name`);
        const at = config.nodes.indexOf((previous ?? clash)!);
        if (at >= 0) config.nodes[at] = node;
        else config.nodes.push(node);
      });
      return { node: maskSecrets(node) };
    });
  }

  'nodes.delete'(req: RequestOf<'nodes.delete'>): Promise<Result<ResponseOf<'nodes.delete'>>> {
    return this.answer(async () => ({ deleted: await this.env.deps.store.removeNode(req.name) }));
  }

  'nodes.test'(req: RequestOf<'nodes.test'>): Promise<Result<ResponseOf<'nodes.test'>>> {
    return this.answer(async () => {
      const config = await this.env.config();
      return testNode(this.env, config, this.env.node(config, req.name));
    });
  }

  async 'search.start'(req: RequestOf<'search.start'>): Promise<Result<ResponseOf<'search.start'>>> {
    return this.done({ entry: 'search.start', request: req, result: await this.answer(() => this.searches.start(req)) });
  }

  'search.cancel'(req: RequestOf<'search.cancel'>): Promise<Result<ResponseOf<'search.cancel'>>> {
    return this.answer(async () => ({ cancelled: this.searches.cancel(req.searchId) }));
  }

  'search.series'(req: RequestOf<'search.series'>): Promise<Result<ResponseOf<'search.series'>>> {
    return this.answer(() => this.searches.series(req.source, req.StudyInstanceUID));
  }

  'cache.stats'(): Promise<Result<ResponseOf<'cache.stats'>>> {
    return this.answer(async () => this.env.deps.cache.stats());
  }

  'cache.doctor'(req: RequestOf<'cache.doctor'>): Promise<Result<ResponseOf<'cache.doctor'>>> {
    return this.answer(() => this.env.deps.cache.doctor({ repair: req.repair === true }));
  }

  'cache.patients'(req: RequestOf<'cache.patients'>): Promise<Result<ResponseOf<'cache.patients'>>> {
    return this.answer(async () => ({ patients: this.env.deps.cache.patients(req) }));
  }

  'cache.studies'(req: RequestOf<'cache.studies'>): Promise<Result<ResponseOf<'cache.studies'>>> {
    return this.answer(async () => {
      const studies = this.env.deps.cache.studies(req);
      const marks = this.env.deps.prefetch?.store.marks(studies.map((s) => s.StudyInstanceUID));
      return { studies, ...(marks?.size ? { prefetched: Object.fromEntries(marks) } : {}) };
    });
  }

  'cache.series'(req: RequestOf<'cache.series'>): Promise<Result<ResponseOf<'cache.series'>>> {
    return this.answer(async () => ({ series: this.env.deps.cache.series(req.StudyInstanceUID) }));
  }

  'viewer.instances'(req: RequestOf<'viewer.instances'>): Promise<Result<ResponseOf<'viewer.instances'>>> {
    return this.answer(async () => viewerInstances(this.env.deps.cache, req));
  }

  'viewer.priors'(req: RequestOf<'viewer.priors'>): Promise<Result<ResponseOf<'viewer.priors'>>> {
    return this.answer(async () => viewerPriors(this.env.deps.cache, this.env.deps.prefetch, req));
  }

  'viewer.hold'(req: RequestOf<'viewer.hold'>): Promise<Result<ResponseOf<'viewer.hold'>>> {
    return this.answer(async () => this.holds.hold(req.StudyInstanceUID, req.holdId));
  }

  'viewer.release'(req: RequestOf<'viewer.release'>): Promise<Result<ResponseOf<'viewer.release'>>> {
    return this.answer(async () => ({ released: this.holds.release(req.holdId) }));
  }

  async 'cache.delete'(req: RequestOf<'cache.delete'>): Promise<Result<ResponseOf<'cache.delete'>>> {
    const { cache } = this.env.deps;
    // the patient of each study, read before it goes, for the record of the delete (a failed read only leaves it out)
    const studyOf = (uid: string) => {
      try {
        return cache.study(uid);
      } catch {
        return undefined;
      }
    };
    const studies = req.level === 'STUDY' ? req.uids.map((uid) => ({ uid, study: studyOf(uid) })) : [];
    const result = await this.answer(async () => {
      let deleted = 0;
      for (const uid of req.uids) if (await (req.level === 'STUDY' ? cache.deleteStudy(uid) : cache.deleteSeries(uid))) deleted++;
      return { deleted };
    });
    return this.done({ entry: 'cache.delete', request: req, result, studies });
  }

  async 'cache.import'(req: RequestOf<'cache.import'>): Promise<Result<ResponseOf<'cache.import'>>> {
    const importId = req.importId ?? `import-${++this.sends}`;
    return this.done({ entry: 'cache.import', request: req, result: await this.importPaths(req, importId) });
  }

  private importPaths(req: RequestOf<'cache.import'>, importId: string): Promise<Result<ResponseOf<'cache.import'>>> {
    return this.answer(async () => {
      const result = await this.env.deps.cache.importPaths([req.path], {
        sourceAeTitle: 'IMPORT',
        onProgress: (p) => this.emit({ type: 'import.progress', importId, ...p }),
      });
      if (result.studies) this.env.deps.prefetch?.trigger.onImported(result.studies);
      return result;
    });
  }

  'cache.export'(req: RequestOf<'cache.export'>): Promise<Result<ResponseOf<'cache.export'>>> {
    return this.answer(() => this.exports.run(req));
  }

  async 'cache.send'(req: RequestOf<'cache.send'>): Promise<Result<ResponseOf<'cache.send'>>> {
    const sendId = req.sendId ?? `send-${++this.sends}`;
    return this.done({ entry: 'cache.send', request: req, result: await this.send(req, sendId) });
  }

  private send(req: RequestOf<'cache.send'>, sendId: string): Promise<Result<ResponseOf<'cache.send'>>> {
    let context: FailureContext = {};
    return this.answer(
      async () => {
        const config = await this.env.config();
        const node = this.env.node(config, req.node);
        context = await this.env.failure(config, node, 'store');
        const instances = this.env.deps.cache.instancesFor(req.level, req.uids);
        if (instances.length === 0)
          throw new ApiFailure({ code: 'not-found', message: `None of these ${req.level === 'STUDY' ? 'studies' : 'series'} is in the cache.` });
        if (nodeProtocol(node) === 'dicomweb' && node.dicomweb) {
          const web = await sendByStow(node.dicomweb, instances, {
            ...this.env.scu(config),
            onProgress: (done, total) => this.emit({ type: 'send.progress', sendId, done, total }),
          });
          const failure = stowFailureSentence(node.dicomweb.url, web, instances.length);
          return {
            sendId,
            sent: web.sent,
            warnings: web.warnings,
            failed: web.failed,
            ...(failure ? { error: { code: 'stow-failed' as const, message: failure } } : {}),
          };
        }
        const report = await sendInstances(node, instances, {
          ...this.env.scu(config),
          onProgress: (done, total) => this.emit({ type: 'send.progress', sendId, done, total }),
        });
        const out: ResponseOf<'cache.send'> = { sendId, sent: report.sent, warnings: report.warnings, failed: report.failed };
        const first = firstFailure(report);
        if (first) out.error = toApiError(diagnose(describeStatus('store', first.status, first.errorComment, context)));
        return out;
      },
      () => context,
    );
  }

  'transfers.list'(): Promise<Result<ResponseOf<'transfers.list'>>> {
    return this.answer(async () => ({ jobs: this.transfers().list() }));
  }

  'transfers.add'(req: RequestOf<'transfers.add'>): Promise<Result<ResponseOf<'transfers.add'>>> {
    return this.answer(async () => ({ job: this.transfers().add(req) }));
  }

  'transfers.cancel'(req: RequestOf<'transfers.cancel'>): Promise<Result<ResponseOf<'transfers.cancel'>>> {
    return this.answer(async () => ({ job: this.job(this.transfers().cancel(req.id), req.id) }));
  }

  'transfers.retry'(req: RequestOf<'transfers.retry'>): Promise<Result<ResponseOf<'transfers.retry'>>> {
    return this.answer(async () => ({ job: this.job(this.transfers().retry(req.id), req.id) }));
  }

  'activity.query'(req: RequestOf<'activity.query'>): Promise<Result<ResponseOf<'activity.query'>>> {
    return this.answer(async () => {
      let aeTitles: string[] | undefined;
      if (req.node) {
        const node = findNode(await this.env.config(), req.node);
        aeTitles = node?.aeTitle ? [node.aeTitle, req.node] : [req.node];
      }
      return {
        lines: this.env.deps.activity.query({
          ...(aeTitles ? { aeTitles } : {}),
          ...(req.outcome ? { outcome: req.outcome } : {}),
          ...(req.afterSeq !== undefined ? { afterSeq: req.afterSeq } : {}),
          ...(req.limit !== undefined ? { limit: req.limit } : {}),
        }),
      };
    });
  }

  'prefetch.rules'(): Promise<Result<ResponseOf<'prefetch.rules'>>> {
    return this.answer(async () => this.prefetch.rules());
  }

  'prefetch.saveRule'(req: RequestOf<'prefetch.saveRule'>): Promise<Result<ResponseOf<'prefetch.saveRule'>>> {
    return this.answer(() => this.prefetch.saveRule(req));
  }

  'prefetch.deleteRule'(req: RequestOf<'prefetch.deleteRule'>): Promise<Result<ResponseOf<'prefetch.deleteRule'>>> {
    return this.answer(async () => this.prefetch.deleteRule(req));
  }

  'prefetch.saveSynonyms'(req: RequestOf<'prefetch.saveSynonyms'>): Promise<Result<ResponseOf<'prefetch.saveSynonyms'>>> {
    return this.answer(async () => this.prefetch.saveSynonyms(req));
  }

  'prefetch.run'(req: RequestOf<'prefetch.run'>): Promise<Result<ResponseOf<'prefetch.run'>>> {
    return this.answer(() => this.prefetch.run(req));
  }

  'prefetch.runs'(req: RequestOf<'prefetch.runs'>): Promise<Result<ResponseOf<'prefetch.runs'>>> {
    return this.answer(async () => this.prefetch.runs(req));
  }

  'prefetch.pollWorklist'(req: RequestOf<'prefetch.pollWorklist'>): Promise<Result<ResponseOf<'prefetch.pollWorklist'>>> {
    return this.answer(() => this.prefetch.pollWorklist(req));
  }

  'audit.query'(req: RequestOf<'audit.query'>): Promise<Result<ResponseOf<'audit.query'>>> {
    return this.answer(async () => {
      const answer = this.audit().query(req);
      // what the cache knows of each study named, so the screen can say "CT CHEST, 2024-01-15" rather than a UID
      const studies: NonNullable<ResponseOf<'audit.query'>['studies']> = {};
      for (const uid of new Set(answer.events.map((e) => e.StudyInstanceUID).filter((u): u is string => !!u))) {
        const s = this.env.deps.cache.study(uid);
        if (s)
          studies[uid] = {
            ...(s.StudyDate ? { StudyDate: s.StudyDate } : {}),
            ...(s.StudyDescription ? { StudyDescription: s.StudyDescription } : {}),
            ModalitiesInStudy: s.ModalitiesInStudy,
          };
      }
      return { ...answer, ...(Object.keys(studies).length ? { studies } : {}) };
    });
  }

  'logs.tail'(req: RequestOf<'logs.tail'>): Promise<Result<ResponseOf<'logs.tail'>>> {
    return this.answer(async () => {
      const dir = this.dirs().logs;
      const tail = logTail(dir, req.maxBytes ?? LOG_TAIL_BYTES);
      const problem = this.env.deps.logProblem?.();
      return { dir, text: tail?.text ?? '', truncated: tail?.truncated ?? false, ...(tail ? { path: tail.path } : {}), ...(problem ? { problem } : {}) };
    });
  }

  'diagnostics.save'(): Promise<Result<ResponseOf<'diagnostics.save'>>> {
    return this.answer(async () => {
      const dirs = this.dirs();
      const now = new Date();
      const folder = join(dirs.data, DIAGNOSTICS_DIR);
      mkdirSync(folder, { recursive: true, mode: 0o700 });
      const filename = diagnosticsFileName(now, (name) => existsSync(join(folder, name)));
      const path = join(folder, filename);
      const activity = this.env.deps.activity.query({ limit: 2000 }).map((l) => `${new Date(l.time).toISOString()} ${l.level.padEnd(5)} ${l.message}`);
      const entries = await writeDiagnostics(dirs, path, { activity }, now);
      return { path, filename, entries, bytes: statSync(path).size, download: `/api/download/${encodeURIComponent(filename)}` };
    });
  }

  /** The file a download address names (a diagnostics bundle this core saved), or undefined. */
  downloadPath(name: string): string | undefined {
    if (!DIAGNOSTICS_NAME.test(name) || !this.env.deps.dirs) return undefined;
    const path = join(this.env.deps.dirs.data, DIAGNOSTICS_DIR, name);
    return existsSync(path) ? path : undefined;
  }

  /** Where things are: as composed, else beside the cache. */
  private dirs(): PriorsDirs {
    const data = this.env.deps.cache.dataDir;
    return this.env.deps.dirs ?? { config: data, data, logs: join(data, 'logs') };
  }

  'audit.export'(req: RequestOf<'audit.export'>): Promise<Result<ResponseOf<'audit.export'>>> {
    return this.answer(async () => {
      const { format, ...filter } = req;
      const { events } = this.audit().query({ ...filter, limit: filter.limit ?? AUDIT_PAGE_MAX });
      const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
      const config = await this.env.config();
      return format === 'csv'
        ? { filename: `priors-audit-${stamp}.csv`, mediaType: 'text/csv', content: auditCsv(events), events: events.length }
        : {
            filename: `priors-audit-${stamp}.json`,
            mediaType: 'application/json',
            events: events.length,
            content: JSON.stringify(
              events.map((e) => auditMessage(e, { auditSourceId: this.env.deps.server?.aeTitle ?? config.local.aeTitle })),
              null,
              2,
            ),
          };
    });
  }

  /** Where the local AE title, port and bind address in effect come from. */
  private localOrigin(config: Config): Record<LocalKey, ValueOrigin> {
    const flags = this.env.deps.local?.flags ?? [];
    const defaults = defaultConfig().local;
    const originOf = (k: LocalKey): ValueOrigin => (flags.includes(k) ? 'flag' : config.local[k] === defaults[k] ? 'default' : 'config');
    return { aeTitle: originOf('aeTitle'), port: originOf('port'), bindAddress: originOf('bindAddress') };
  }

  private audit() {
    const audit = this.env.deps.audit;
    if (!audit) throw new ApiFailure({ code: 'unavailable', message: 'The audit log is not kept in this process.' });
    return audit;
  }

  private transfers() {
    const { transfers } = this.env.deps;
    if (!transfers) throw new ApiFailure({ code: 'unavailable', message: 'The transfer queue does not run in this process.' });
    return transfers;
  }

  private job<T>(job: T | undefined, id: string): T {
    if (!job)
      throw new ApiFailure({ code: 'not-found', message: `No transfer job ${id} can be changed that way (unknown, or in a state that does not allow it).` });
    return job;
  }
}
