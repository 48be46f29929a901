/**
 * Prefetch on arrival: a study sent to our Storage SCP (by a modality, a PACS, another
 * workstation) or imported becomes the current study of its patient once every association
 * that brought it has ended and no new instance of it came for the quiet time (default 5 s).
 * With `lookWhileArriving` (the default) prefetch also looks a moment after the study's first
 * instance, while its sender still sends: the radiologist who opens the study as it arrives
 * finds its priors coming already. Instances of our own retrieves (C-MOVE sub-operations naming
 * us as Move Originator, studies a transfer job is fetching) are priors arriving, not current
 * studies, and start nothing. A study already prefetched for is looked at again only when it
 * has gained a series since. Runs go one at a time.
 */
import type { PrefetchSettings } from '../../../shared/config.js';
import type { PrefetchRun } from '../../../shared/prefetch.js';
import type { StudyRecord } from '../../../shared/records.js';
import type { AssociationInfo } from '../../dimse/handlers.js';
import type { Logger } from '../../dimse/ul/association.js';
import type { StoredEvent } from '../local-scp/handlers.js';
import type { PrefetchRequest } from './prefetcher.js';

/** Timers, injectable so tests need not sleep. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const REAL_TIMERS: Timers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** What the trigger needs. */
export interface ArrivalTriggerDeps {
  prefetcher: { run(request: PrefetchRequest): Promise<PrefetchRun>; hasNodes(): boolean };
  cache: { study(studyInstanceUid: string): StudyRecord | undefined; flushIndex(): void; series(studyInstanceUid: string): { Modality?: string }[] };
  /** The last run for a current study, to skip a study already looked at. */
  lastRunFor(studyInstanceUid: string): PrefetchRun | undefined;
  /** Our AE title now (stores whose Move Originator it is come from our own C-MOVE). */
  aeTitle(): string;
  /** Whether a retrieve of ours is bringing this study in. */
  retrieving(studyInstanceUid: string): boolean;
  settings(): PrefetchSettings;
  log?: Logger;
  timers?: Timers;
}

/** How long after a study's first instance the look while it arrives comes: its first instances are indexed by then. */
export const FIRST_LOOK_MS = 1000;

interface Pending {
  /** Associations still open that stored instances of it. */
  open: Set<string>;
  /** Who sent it, for the run's trigger detail. */
  from: string;
  timer?: unknown;
  /** The look while it arrives, not come yet. */
  early?: unknown;
  /** Instances stored since the timer was armed. */
  fresh: boolean;
}

/** Watches arrivals and starts prefetch for the studies that have settled. */
export class ArrivalTrigger {
  private readonly pending = new Map<string, Pending>();
  private readonly timers: Timers;
  private chain: Promise<unknown> = Promise.resolve();
  private waiting = 0;
  private idleWaiters: (() => void)[] = [];
  private closed = false;

  constructor(private readonly deps: ArrivalTriggerDeps) {
    this.timers = deps.timers ?? REAL_TIMERS;
  }

  /** An instance was stored by our SCP. */
  readonly onStored = (e: StoredEvent): void => {
    if (this.closed || e.duplicate) return;
    const ours = e.moveOriginatorAeTitle?.trim() === this.deps.aeTitle();
    if (ours || this.deps.retrieving(e.studyInstanceUid)) return;
    let p = this.pending.get(e.studyInstanceUid);
    if (!p) {
      const q: Pending = { open: new Set(), from: e.association.callingAeTitle.trim(), fresh: true };
      if (this.deps.settings().lookWhileArriving)
        q.early = this.timers.setTimeout(() => {
          q.early = undefined;
          this.look(e.studyInstanceUid, q.from);
        }, FIRST_LOOK_MS);
      this.pending.set(e.studyInstanceUid, q);
      p = q;
    }
    p.open.add(e.association.id);
    p.fresh = true;
    if (p.timer !== undefined) {
      this.timers.clearTimeout(p.timer);
      p.timer = undefined;
    }
  };

  /** An association that stored instances ended: its studies may now settle. */
  readonly onAssociationEnded = (association: AssociationInfo): void => {
    for (const [uid, p] of this.pending) {
      if (!p.open.delete(association.id)) continue;
      if (p.open.size === 0) this.arm(uid, p);
    }
  };

  /** Studies imported from files: they settle at once (the import has ended). */
  onImported(studyInstanceUids: readonly string[]): void {
    if (this.closed) return;
    for (const uid of studyInstanceUids) {
      if (this.pending.has(uid)) continue;
      const p: Pending = { open: new Set(), from: 'an import', fresh: true };
      this.pending.set(uid, p);
      this.arm(uid, p);
    }
  }

  /** Resolves when no study is waiting to settle and no run is going (tests). */
  idle(): Promise<void> {
    if (this.pending.size === 0 && this.waiting === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops watching; a run in progress finishes. */
  close(): void {
    this.closed = true;
    for (const p of this.pending.values()) for (const t of [p.timer, p.early]) if (t !== undefined) this.timers.clearTimeout(t);
    this.pending.clear();
    this.wakeIdle();
  }

  private arm(uid: string, p: Pending): void {
    p.fresh = false;
    const ms = Math.max(0, this.deps.settings().quietSeconds * 1000);
    p.timer = this.timers.setTimeout(() => {
      p.timer = undefined;
      if (p.fresh || p.open.size > 0) return; // more came meanwhile: its association's end re-arms it
      this.pending.delete(uid);
      // settled before its look while arriving came: this look is the one
      if (p.early !== undefined) this.timers.clearTimeout(p.early);
      this.look(uid, p.from);
    }, ms);
  }

  /** Queues a look at the study behind the runs before it. */
  private look(uid: string, from: string): void {
    this.waiting++;
    this.chain = this.chain
      .then(() => this.evaluate(uid, from))
      .catch((err: unknown) => {
        this.deps.log?.('warn', `prefetch for study ${uid} failed: ${(err as Error).message}`);
      })
      .finally(() => {
        this.waiting--;
        this.wakeIdle();
      });
  }

  private wakeIdle(): void {
    if (this.pending.size === 0 && this.waiting === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  private async evaluate(uid: string, from: string): Promise<void> {
    if (this.closed || !this.deps.settings().enabled || !this.deps.prefetcher.hasNodes()) return;
    if (this.deps.retrieving(uid)) return;
    this.deps.cache.flushIndex();
    const study = this.deps.cache.study(uid);
    if (!study) return;
    if (!study.PatientID.trim()) {
      this.deps.log?.('info', `prefetch: study ${uid} from ${from} has no Patient ID, so its priors cannot be looked for`);
      return;
    }
    const series = this.deps.cache.series(uid);
    const modalities = study.ModalitiesInStudy.length ? study.ModalitiesInStudy : [...new Set(series.map((s) => s.Modality ?? '').filter((m) => m))];
    // looked at already, and no series came since: nothing new to decide on
    const last = this.deps.lastRunFor(uid);
    if (last && last.state !== 'failed' && last.current?.seriesCount === series.length) return;
    await this.deps.prefetcher.run({
      trigger: 'arrival',
      triggerDetail: `${modalities.join('/') || 'a study'} from ${from}`,
      PatientID: study.PatientID,
      ...(study.IssuerOfPatientID ? { IssuerOfPatientID: study.IssuerOfPatientID } : {}),
      current: { StudyInstanceUID: uid },
    });
  }
}
