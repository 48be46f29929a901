/**
 * Prefetch as one service: the rules and runs in the index, the prefetcher over the transfer
 * queue, and its triggers (arrivals at our SCP and imports, the worklist providers), started
 * and stopped together by the composition root.
 */
import { DEFAULT_PREFETCH, type Config, type PrefetchSettings } from '../../../shared/config.js';
import type { TransferEvent, TransferJob } from '../../../shared/transfers.js';
import type { Cache } from '../../cache/index.js';
import { PrefetchStore } from '../../cache/prefetch.js';
import type { AssociationInfo } from '../../dimse/handlers.js';
import type { Logger } from '../../dimse/ul/association.js';
import type { StoredEvent } from '../local-scp/handlers.js';
import type { NodeReach } from '../nodes/reach.js';
import { ArrivalTrigger, type Timers } from './arrival-trigger.js';
import { Prefetcher, type PrefetchAudit, type PrefetchTransfers } from './prefetcher.js';
import { WorklistPoller } from './worklist.js';

export { Prefetcher, type PrefetchRequest, sentenceOf } from './prefetcher.js';
export { ArrivalTrigger } from './arrival-trigger.js';
export { WorklistPoller, readWorklistItem, worklistIdentifier } from './worklist.js';

/** Our running SCP, as far as prefetch listens to it. */
export interface ServerTap {
  aeTitle: string;
  readonly storedListeners: Set<(event: StoredEvent) => void>;
  readonly endedListeners: Set<(association: AssociationInfo, stores: number) => void>;
}

/** What {@link PrefetchService} is made of. */
export interface PrefetchServiceOptions {
  cache: Cache;
  transfers: PrefetchTransfers;
  config: () => Config;
  reach: NodeReach;
  /** Our SCP; absent = no arrival trigger (a command that runs no server). */
  server?: ServerTap;
  audit?: PrefetchAudit;
  log?: Logger;
  /** Poll worklist providers (default true). */
  worklist?: boolean;
  now?: () => number;
  timers?: Timers;
}

/** How long after its job ended a study's late instances still count as our retrieve's. */
const RETRIEVE_TAIL_MS = 60_000;

/** The prefetch service of one data directory. */
export class PrefetchService {
  readonly store: PrefetchStore;
  readonly prefetcher: Prefetcher;
  readonly trigger: ArrivalTrigger;
  readonly worklist: WorklistPoller;
  /** Studies our retrieves bring in (running jobs, and those that ended in the last minute). */
  private readonly retrieving = new Map<string, { jobs: Set<string>; endedAt?: number }>();
  private readonly detach: (() => void)[] = [];
  private readonly now: () => number;

  constructor(private readonly options: PrefetchServiceOptions) {
    this.now = options.now ?? Date.now;
    this.store = PrefetchStore.open(options.cache.dataDir);
    const settings = (): PrefetchSettings => options.config().prefetch ?? { ...DEFAULT_PREFETCH };
    this.prefetcher = new Prefetcher({
      cache: options.cache,
      store: this.store,
      transfers: options.transfers,
      config: options.config,
      reach: { scu: (signal) => options.reach.scu(signal), failure: (node, service) => options.reach.failure(node, service) },
      ...(options.audit ? { audit: options.audit } : {}),
      ...(options.log ? { log: options.log } : {}),
      ...(options.now ? { now: options.now } : {}),
    });
    this.trigger = new ArrivalTrigger({
      prefetcher: this.prefetcher,
      cache: options.cache,
      lastRunFor: (uid) => this.store.lastRunFor(uid),
      aeTitle: () => options.server?.aeTitle ?? options.reach.aeTitle(),
      retrieving: (uid) => this.isRetrieving(uid),
      settings,
      ...(options.log ? { log: options.log } : {}),
      ...(options.timers ? { timers: options.timers } : {}),
    });
    this.worklist = new WorklistPoller({
      config: options.config,
      prefetcher: this.prefetcher,
      claim: (key, node) => this.store.claimProcedure(key, node, this.now()),
      release: (key) => this.store.releaseProcedure(key),
      ran: (key, runId) => this.store.procedureRun(key, runId),
      scu: (signal) => options.reach.scu(signal),
      failure: (node) => options.reach.failure(node, 'find'),
      enabled: () => settings().enabled,
      ...(options.log ? { log: options.log } : {}),
      ...(options.now ? { now: options.now } : {}),
      ...(options.timers ? { timers: options.timers } : {}),
    });
  }

  /** Listens to the SCP and the queue, and starts polling the worklist providers. */
  start(): void {
    for (const job of this.options.transfers.list(['queued', 'running'])) this.track({ type: 'job.added', job });
    this.detach.push(this.options.transfers.on((e) => this.track(e)));
    const server = this.options.server;
    if (server) {
      server.storedListeners.add(this.trigger.onStored);
      server.endedListeners.add(this.trigger.onAssociationEnded);
      this.detach.push(() => {
        server.storedListeners.delete(this.trigger.onStored);
        server.endedListeners.delete(this.trigger.onAssociationEnded);
      });
    }
    if (this.options.worklist !== false) this.worklist.start();
  }

  /** Stops the triggers and closes the store. */
  close(): void {
    for (const off of this.detach.splice(0)) off();
    this.worklist.close();
    this.trigger.close();
    this.prefetcher.close();
    this.store.close();
  }

  private track(e: TransferEvent): void {
    const job: TransferJob = e.job;
    let entry = this.retrieving.get(job.StudyInstanceUID);
    if (e.type === 'job.finished') {
      if (entry) {
        entry.jobs.delete(job.id);
        if (entry.jobs.size === 0) entry.endedAt = this.now();
      }
      return;
    }
    if (job.state !== 'queued' && job.state !== 'running') return;
    if (!entry) {
      entry = { jobs: new Set() };
      this.retrieving.set(job.StudyInstanceUID, entry);
    }
    entry.jobs.add(job.id);
    delete entry.endedAt;
  }

  private isRetrieving(uid: string): boolean {
    const entry = this.retrieving.get(uid);
    if (!entry) return false;
    if (entry.jobs.size > 0) return true;
    if (entry.endedAt !== undefined && this.now() - entry.endedAt < RETRIEVE_TAIL_MS) return true;
    this.retrieving.delete(uid);
    return false;
  }
}
