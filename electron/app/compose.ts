/**
 * The one place the app core is put together (docs/architecture.md, rule 6): configuration store, transfer
 * queue and AppCore over an open cache and, when it runs, our DICOM server. The headless web
 * UI (electron/web/start-ui.ts) and the desktop app (desktop.ts, electron/main.ts) both call it.
 * It also records what the workstation does into the audit trail (auditOutgoing).
 */
import { findNode, type Config, type LocalAe } from '../../shared/config.js';
import { AuditStore } from '../cache/audit.js';
import type { Cache } from '../cache/index.js';
import type { ActivityLog } from '../services/audit/activity-log.js';
import { AppCore } from './core.js';
import { AuditTrail } from '../services/audit/audit.js';
import type { AppCoreDeps, LocalKey } from './env.js';
import { ConfigStore } from '../services/config/config-store.js';
import type { StoredEvent } from '../services/local-scp/handlers.js';
import { retrieve } from '../services/retrieve/retrieve.js';
import type { ServeHandle } from '../services/local-scp/serve.js';
import { TransferQueue } from '../services/transfers/index.js';
import { PrefetchService } from '../services/prefetch/index.js';
import { NodeReach } from '../services/nodes/reach.js';

/**
 * A config store that remembers the last configuration saved or loaded, for the parts that read
 * it synchronously (the queue, prefetch), and picks up changes another process wrote to
 * config.json (looked at most twice a second).
 */
export class RememberingConfigStore extends ConfigStore {
  private held: Config;
  private mtimeMs = -1;
  private checkedAt = 0;

  constructor(configDir: string, current: Config, private readonly now: () => number = Date.now) {
    super(configDir);
    this.held = current;
    this.mtimeMs = this.readIfChanged(-1)?.mtimeMs ?? -1;
  }

  get current(): Config {
    const now = this.now();
    if (now - this.checkedAt >= 500) {
      this.checkedAt = now;
      const changed = this.readIfChanged(this.mtimeMs);
      if (changed) {
        this.held = changed.config;
        this.mtimeMs = changed.mtimeMs;
      }
    }
    return this.held;
  }

  override async load(): Promise<Config> {
    this.held = await super.load();
    return this.held;
  }

  override async save(config: Config): Promise<void> {
    await super.save(config);
    this.held = structuredClone(config);
    this.checkedAt = 0;
  }
}

/** What {@link composeAppCore} needs. */
export interface ComposeOptions {
  /** The image cache's directory. */
  dataDir: string;
  /** Where config.json lives, when not in `dataDir` (the platform's configuration directory). */
  configDir?: string;
  config: Config;
  cache: Cache;
  activity: ActivityLog;
  /** Our DICOM server; absent when it could not listen (see `serverProblem`). */
  server?: ServeHandle;
  serverProblem?: AppCoreDeps['serverProblem'];
  /** Poll the worklist providers (default true; a one-off command does not). */
  worklist?: boolean;
  /** Local AE values given as flags of `priors serve`, over config.json's. */
  flags?: Partial<Pick<LocalAe, LocalKey>>;
}

/** The composed core: close it before the server and the cache. */
export interface ComposedCore {
  core: AppCore;
  transfers: TransferQueue;
  prefetch: PrefetchService;
  store: RememberingConfigStore;
  close(): Promise<void>;
}

/** Starts the transfer queue and the app core. */
export function composeAppCore(o: ComposeOptions): ComposedCore {
  const store = new RememberingConfigStore(o.configDir ?? o.dataDir, o.config);
  // No host: the bound address may be 0.0.0.0; the queue names the route toward each node.
  // Without a server, C-MOVE jobs find nothing arriving and say so; C-GET jobs still work.
  const local = o.server
    ? { aeTitle: o.server.aeTitle, port: o.server.port, storedListeners: o.server.storedListeners }
    : { aeTitle: o.config.local.aeTitle, port: o.config.local.port, storedListeners: new Set<(e: StoredEvent) => void>() };
  // the server's audit trail when it runs, else one of our own over the same index
  const ownAudit = o.server?.audit ? undefined : new AuditTrail(AuditStore.open(o.cache.dataDir), o.cache, { localAeTitle: local.aeTitle, log: o.activity.logger });
  const audit = o.server?.audit ?? ownAudit!;
  const transfers = new TransferQueue({ cache: o.cache, config: () => store.current, retrieve, local, scu: { log: o.activity.logger }, onStoredByGet: audit.onStoredByGet });
  transfers.start();
  const reach = new NodeReach(() => store.current, () => (o.server ? { aeTitle: o.server.aeTitle, port: o.server.port } : {}), o.activity.logger);
  const prefetch = new PrefetchService({
    cache: o.cache, transfers, config: () => store.current, reach, audit, log: o.activity.logger,
    ...(o.server ? { server: o.server } : {}), ...(o.worklist === false ? { worklist: false } : {}),
  });
  const flags = o.flags ?? {};
  const started = { aeTitle: o.config.local.aeTitle, port: o.config.local.port, bindAddress: o.config.local.bindAddress, ...flags };
  const core = new AppCore({
    store, cache: o.cache, activity: o.activity, transfers, audit, prefetch, local: { started, flags: Object.keys(flags) as LocalKey[] },
    ...(o.server ? { server: o.server } : {}), ...(o.serverProblem ? { serverProblem: o.serverProblem } : {}),
  });
  const stopAuditing = auditOutgoing(core, transfers, audit, o.cache, () => store.current);
  prefetch.start();
  return {
    core, transfers, store, prefetch,
    close: async () => {
      stopAuditing();
      prefetch.close();
      core.close();
      await transfers.close();
      ownAudit?.close();
    },
  };
}

/**
 * Records what this workstation does in the audit trail: each query of a node (when it ends),
 * each retrieve job (when it ends), each send, delete and import. Returns the function that stops.
 */
function auditOutgoing(core: AppCore, transfers: TransferQueue, audit: AuditTrail, cache: Cache, config: () => Config): () => void {
  const aeOf = (node: string) => findNode(config(), node)?.aeTitle;
  const searches = new Map<string, { node: string; keys: Record<string, string>; level: string }>();
  const startSearch = core['search.start'].bind(core);
  core['search.start'] = async (req) => {
    const r = await startSearch(req);
    if (r.ok && req.source.kind === 'node') searches.set(r.value.searchId, { node: req.source.node, keys: req.keys, level: req.level });
    return r;
  };
  const stopEvents = core.subscribe((e) => {
    if (e.type === 'search.done') {
      const s = searches.get(e.searchId);
      if (!s) return;
      searches.delete(e.searchId);
      const keys = Object.entries(s.keys).filter(([, v]) => v !== '').map(([k, v]) => `${k}=${v}`).join(', ');
      audit.ours('query', {
        node: s.node, ...(aeOf(s.node) ? { peerAeTitle: aeOf(s.node)! } : {}),
        outcome: e.outcome === 'completed' ? 0 : e.outcome === 'cancelled' ? 4 : 8, ...(e.error ? { outcomeText: e.error.message } : {}),
        ...(s.keys.PatientID ? { PatientID: s.keys.PatientID } : {}), ...(s.keys.PatientName ? { PatientName: s.keys.PatientName } : {}),
        instances: e.matches, detail: `${s.level}: ${keys}`.slice(0, 300),
      });
    }
  });
  const stopJobs = transfers.on((e) => {
    if (e.type !== 'job.finished') return;
    const j = e.job;
    audit.ours('retrieve', {
      node: j.node, ...(aeOf(j.node) ? { peerAeTitle: aeOf(j.node)! } : {}), StudyInstanceUID: j.StudyInstanceUID, instances: j.progress.arrived,
      outcome: j.state === 'completed' ? 0 : j.state === 'cancelled' || j.state === 'incomplete' ? 4 : 8,
      ...(j.verdict ? { outcomeText: j.verdict.sentence } : {}), detail: `${(j.usedMethod ?? j.method) === 'get' ? 'C-GET' : 'C-MOVE'} ${j.level}`,
    });
  });
  const send = core['cache.send'].bind(core);
  core['cache.send'] = async (req) => {
    const r = await send(req);
    const failed = !r.ok || r.value.failed > 0 || r.value.error;
    audit.ours('send', {
      node: req.node, ...(aeOf(req.node) ? { peerAeTitle: aeOf(req.node)! } : {}),
      ...(req.uids.length === 1 && req.level === 'STUDY' ? { StudyInstanceUID: req.uids[0]! } : {}),
      outcome: !r.ok ? 8 : failed ? 4 : 0, ...(!r.ok ? { outcomeText: r.error.message } : r.value.error ? { outcomeText: r.value.error.message } : {}),
      instances: r.ok ? r.value.sent : 0, detail: `${req.level} ${req.uids.join(' ')}`.slice(0, 300),
    });
    return r;
  };
  const del = core['cache.delete'].bind(core);
  core['cache.delete'] = async (req) => {
    // the patient of each study, read before it goes
    const before = req.level === 'STUDY' ? req.uids.map((uid) => ({ uid, study: cache.study(uid) })) : [];
    const r = await del(req);
    if (req.level === 'STUDY') {
      for (const { uid, study } of before) {
        audit.ours('delete', {
          direction: 'local', StudyInstanceUID: uid, outcome: r.ok ? 0 : 8, ...(r.ok ? {} : { outcomeText: r.error.message }),
          ...(study?.PatientID ? { PatientID: study.PatientID } : {}), ...(study?.PatientName ? { PatientName: study.PatientName } : {}),
          ...(study ? { instances: study.NumberOfStudyRelatedInstances } : {}),
        });
      }
    } else {
      audit.ours('delete', { direction: 'local', outcome: r.ok ? 0 : 8, detail: `SERIES ${req.uids.join(' ')}`.slice(0, 300) });
    }
    return r;
  };
  const imp = core['cache.import'].bind(core);
  core['cache.import'] = async (req) => {
    const r = await imp(req);
    audit.ours('import', {
      direction: 'local', outcome: !r.ok ? 8 : r.value.skipped.length ? 4 : 0, ...(r.ok ? {} : { outcomeText: r.error.message }),
      instances: r.ok ? r.value.imported : 0, detail: `from ${req.path}${r.ok && r.value.skipped.length ? `; ${r.value.skipped.length} files skipped` : ''}`.slice(0, 300),
    });
    return r;
  };
  return () => { stopEvents(); stopJobs(); };
}
