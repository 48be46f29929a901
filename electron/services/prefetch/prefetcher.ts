/**
 * One look for a patient's priors: the rules and nodes in force, the patient's studies in the
 * cache and on the nodes, the current study, the decision on each earlier study with its
 * reason, and a retrieve job of the transfer queue for each study to fetch (origin 'prefetch':
 * after the user's jobs, with the same verification, retry and cancel). Every run is stored
 * with its candidates, audited, and pushed to listeners as it changes; its jobs' ends update it.
 *
 * The cache's limits apply as to any retrieve: eviction never takes a study that is open, in a
 * transfer, or of a patient who is open, nor, while a run's retrieves go, a study of the patient
 * it fetches for (the current study and the priors already in). When an instance of a prefetch
 * job is refused for lack of room, prefetch stops: the queued prefetch jobs are cancelled and
 * each run says why.
 */
import { randomUUID } from 'node:crypto';
import { AuditOutcome } from '../../../shared/audit.js';
import { isArchive, type Config, type RemoteNode } from '../../../shared/config.js';
import {
  type PrefetchCandidate,
  type PrefetchCurrent,
  type PrefetchEvent,
  type PrefetchNodeOutcome,
  type PrefetchRule,
  type PrefetchRun,
  type PrefetchTrigger,
} from '../../../shared/prefetch.js';
import type { CacheRefusal, PatientRecord, StudyRecord } from '../../../shared/records.js';
import type { TransferEvent, TransferJob, TransferRequest } from '../../../shared/transfers.js';
import type { PrefetchStore } from '../../cache/prefetch.js';
import type { Logger } from '../../dimse/ul/association.js';
import { BodyPartLexicon } from './body-parts.js';
import {
  addSeriesFacts,
  cachedStudies,
  cachedStudyFacts,
  mergeStudies,
  MAX_SERIES_QUERIES,
  studiesOnNode,
  type CacheStudies,
  type NodeReach,
} from './candidates.js';
import { identityProblem, imageModalities, selectPriors, showDate, type ActiveRule, type CurrentFacts, type PatientFacts, type StudyFacts } from './select.js';

/** The cache as prefetch reads it. */
export interface PrefetchCache extends CacheStudies {
  /** Keeps a patient's studies from eviction while their priors arrive (the current study among them). */
  pin(kind: 'patient', key: string, reason: string): { release(): void };
  study(studyInstanceUid: string): StudyRecord | undefined;
  patientsById(patientId: string, issuer?: string): PatientRecord[];
  stats(): { lastRefusal?: CacheRefusal };
  /** Writes the index rows still queued, so that what arrived is seen. */
  flushIndex(): void;
}

/** The transfer queue as prefetch uses it. */
export interface PrefetchTransfers {
  add(request: TransferRequest): TransferJob;
  list(states?: TransferJob['state'][]): TransferJob[];
  cancel(id: string): TransferJob | undefined;
  on(listener: (e: TransferEvent) => void): () => void;
}

/** The audit trail as prefetch records into it. */
export interface PrefetchAudit {
  ours(
    what: 'prefetch',
    r: {
      outcome: AuditOutcome;
      outcomeText?: string;
      PatientID?: string;
      PatientName?: string;
      StudyInstanceUID?: string;
      instances?: number;
      detail?: string;
      direction?: 'outgoing' | 'local';
    },
  ): void;
}

/** What a {@link Prefetcher} is made of. */
export interface PrefetcherDeps {
  cache: PrefetchCache;
  store: PrefetchStore;
  transfers: PrefetchTransfers;
  /** The configuration as it is now (nodes change while Priors runs). */
  config: () => Config;
  reach: NodeReach;
  audit?: PrefetchAudit;
  log?: Logger;
  now?: () => number;
}

/** A procedure scheduled on a worklist: the current study before it exists. */
export interface ScheduledProcedure {
  StudyInstanceUID?: string;
  /** YYYYMMDD. */
  date?: string;
  modalities: string[];
  descriptions: string[];
  AccessionNumber?: string;
  node?: string;
}

/** What to look for. */
export interface PrefetchRequest {
  trigger: PrefetchTrigger;
  triggerDetail?: string;
  PatientID: string;
  IssuerOfPatientID?: string;
  PatientName?: string;
  PatientBirthDate?: string;
  /** The current study: one in the cache, a scheduled procedure, or absent (the patient's newest, in the cache or on the nodes). */
  current?: { StudyInstanceUID: string } | { scheduled: ScheduledProcedure };
  /** Decide and report only: nothing is queued, nothing is marked. */
  dryRun?: boolean;
  signal?: AbortSignal;
}

const RUNNING: TransferJob['state'][] = ['queued', 'running'];

/** Today as YYYYMMDD in local time (the day the radiologist lives in). */
export function today(now: number): string {
  const d = new Date(now);
  return `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}`;
}

/** Runs prefetch; make one per data directory in the composition root and `close()` it. */
export class Prefetcher {
  private readonly listeners = new Set<(e: PrefetchEvent) => void>();
  /** Job id → run id, for the runs whose jobs have not all ended. */
  private readonly jobRuns = new Map<string, string>();
  /** The patient pin of each run whose jobs have not all ended. */
  private readonly pins = new Map<string, { release(): void }>();
  private readonly stopTransfers: () => void;
  private readonly now: () => number;

  constructor(private readonly deps: PrefetcherDeps) {
    this.now = deps.now ?? Date.now;
    for (const run of deps.store.runs({ states: ['running'], limit: 500 })) {
      for (const c of run.candidates) if (c.jobId && (c.jobState === 'queued' || c.jobState === 'running')) this.jobRuns.set(c.jobId, run.id);
      this.pinPatient(run);
    }
    this.stopTransfers = deps.transfers.on((e) => this.onTransfer(e));
  }

  /** Subscribes to run events; returns the unsubscribe function. */
  on(listener: (e: PrefetchEvent) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Stops following jobs. */
  close(): void {
    this.stopTransfers();
    this.listeners.clear();
    for (const id of [...this.pins.keys()]) this.unpin(id);
  }

  private pinPatient(run: PrefetchRun): void {
    if (!this.pins.has(run.id)) this.pins.set(run.id, this.deps.cache.pin('patient', run.PatientID, 'prefetch'));
  }

  private unpin(runId: string): void {
    this.pins.get(runId)?.release();
    this.pins.delete(runId);
  }

  /** Whether any node is configured for prefetch to search (the default rule does nothing until one is). */
  hasNodes(): boolean {
    return this.activeRules(this.deps.config()).rules.some((r) => r.nodes.length > 0);
  }

  /** Looks for the patient's priors and queues those to fetch. Never rejects for a node's failure: the run says it. */
  async run(request: PrefetchRequest): Promise<PrefetchRun> {
    const { cache, store } = this.deps;
    const startedAt = this.now();
    const config = this.deps.config();
    const { rules, problems } = this.activeRules(config);
    const lexicon = new BodyPartLexicon(store.synonyms());
    cache.flushIndex();

    const patient = this.patientFacts(request);
    let current = this.currentFromRequest(request, lexicon);
    if (current?.facts.StudyInstanceUID) {
      const held = cache.study(current.facts.StudyInstanceUID);
      if (held) {
        patient.PatientName ??= held.PatientName;
        patient.IssuerOfPatientID ??= held.IssuerOfPatientID || undefined;
      }
    }

    const searched = [...new Set(rules.flatMap((r) => r.nodes))].map((name) => config.nodes.find((n) => n.name === name)!).filter((n) => !!n);
    const local = cachedStudies(cache, patient, lexicon);
    const answers = await Promise.all(searched.map((node) => studiesOnNode(node, patient, this.deps.reach, lexicon, request.signal)));
    const nodes: PrefetchNodeOutcome[] = [...problems, ...answers.map((a) => a.outcome)];
    const everything = mergeStudies([local, ...answers.map((a) => a.studies)]);

    if (!current) {
      const newest = [...everything].sort((a, b) => `${b.StudyDate ?? ''}${b.StudyTime ?? ''}`.localeCompare(`${a.StudyDate ?? ''}${a.StudyTime ?? ''}`))[0];
      if (newest) {
        current = {
          facts: {
            ...factsOf(newest),
            source: newest.foundOn.includes('cache') ? 'cache' : 'archive',
            ...(newest.foundOn.includes('cache') ? {} : { node: newest.foundOn[0]! }),
          },
          date: newest.StudyDate ?? today(startedAt),
          basis: newest.bodyPartBasis,
        };
        patient.PatientName ??= newest.PatientName;
        patient.PatientBirthDate ??= newest.PatientBirthDate;
      }
    }
    // each place's answer is held against the patient before the answers are merged
    for (const a of answers) {
      for (const s of a.studies) {
        const problem = identityProblem(patient, s, s.foundOn[0]!);
        if (problem) everything.find((e) => e.StudyInstanceUID === s.StudyInstanceUID)!.identity ??= problem;
      }
    }

    const run: PrefetchRun = {
      id: randomUUID(),
      trigger: request.trigger,
      ...(request.triggerDetail ? { triggerDetail: request.triggerDetail } : {}),
      dryRun: !!request.dryRun,
      PatientID: patient.PatientID,
      ...(patient.IssuerOfPatientID ? { IssuerOfPatientID: patient.IssuerOfPatientID } : {}),
      ...(patient.PatientName ? { PatientName: patient.PatientName } : {}),
      ...(patient.PatientBirthDate ? { PatientBirthDate: patient.PatientBirthDate } : {}),
      ...(current ? { current: current.facts } : {}),
      state: request.dryRun ? 'planned' : 'completed',
      sentence: '',
      candidates: [],
      nodes,
      startedAt,
      revision: 0,
    };

    if (!current) {
      run.sentence = searched.length
        ? `No study of patient ${patient.PatientID} was found in the cache or on ${searched.map((n) => n.name).join(', ')}.`
        : `No study of patient ${patient.PatientID} is in the cache, and no node is configured to search: add your PACS in Nodes & settings.`;
      return this.finishPlanning(run, request);
    }

    const currentFacts: CurrentFacts = {
      ...(current.facts.StudyInstanceUID ? { StudyInstanceUID: current.facts.StudyInstanceUID } : {}),
      date: current.date,
      modalities: current.facts.modalities,
      bodyParts: current.facts.bodyParts,
      bodyPartBasis: current.basis,
    };
    const candidates = everything.filter((s) => s.StudyInstanceUID !== currentFacts.StudyInstanceUID);
    await this.addSeries(candidates, currentFacts, rules, searched, lexicon, request.signal);
    const selections = selectPriors(patient, currentFacts, candidates, rules);

    const active = new Map(this.deps.transfers.list(RUNNING).map((j) => [j.StudyInstanceUID, j]));
    run.candidates = candidates.map((study, i) => this.candidateOf(study, selections[i]!, active));
    run.candidates.sort((a, b) => (b.StudyDate ?? '').localeCompare(a.StudyDate ?? ''));
    if (searched.length === 0) run.sentence = 'No node is configured to search: add your PACS in Nodes & settings (the default rule searches every node).';
    return this.finishPlanning(run, request);
  }

  /** Stores the run, queues its retrieves (unless a dry run), audits it and tells the listeners. */
  private finishPlanning(run: PrefetchRun, request: PrefetchRequest): PrefetchRun {
    const toFetch = run.candidates.filter((c) => c.decision === 'fetch');
    const full = request.dryRun ? undefined : this.recentRefusal();
    if (!request.dryRun) run.state = toFetch.length && !full ? 'running' : 'completed';
    let saved = request.dryRun ? { ...run } : this.deps.store.insertRun(run);
    if (!request.dryRun && toFetch.length) {
      if (full) {
        saved.state = 'stopped';
        for (const c of toFetch) c.reason = `${c.reason}; not queued: the cache is full`;
      } else {
        // while its priors arrive, making room for them never evicts the current study or the priors already in
        this.pinPatient(saved);
        for (const c of toFetch) this.queue(saved, c);
      }
      if (!saved.candidates.some((c) => c.jobState === 'queued' || c.jobState === 'running') && saved.state === 'running') saved.state = 'incomplete';
    }
    saved.sentence ||= sentenceOf(saved, full);
    if (saved.state !== 'running' && saved.state !== 'planned') {
      saved.finishedAt = this.now();
      this.unpin(saved.id);
    }
    if (!request.dryRun) saved = this.deps.store.updateRun(saved);
    this.auditRun(saved);
    this.deps.log?.('info', `prefetch ${saved.trigger} for patient ${saved.PatientID}: ${saved.sentence}`);
    this.emit(saved);
    return saved;
  }

  private queue(run: PrefetchRun, c: PrefetchCandidate): void {
    const label = [run.PatientName?.replace(/\^+$/, ''), c.modalities.join('/'), c.StudyDescription, showDate(c.StudyDate)]
      .filter((x) => x && x !== 'an unknown date')
      .join(' — ');
    try {
      const job = this.deps.transfers.add({
        node: c.node!,
        level: 'STUDY',
        StudyInstanceUID: c.StudyInstanceUID,
        origin: 'prefetch',
        ...(c.instances !== undefined ? { expected: c.instances } : {}),
        label: `${label} (prefetch)`.slice(0, 256),
      });
      c.jobId = job.id;
      c.jobState = job.state;
      this.jobRuns.set(job.id, run.id);
      this.deps.store.markPrefetched(c.StudyInstanceUID, { runId: run.id, rule: c.rule ?? '', reason: c.reason, at: this.now() });
    } catch (err) {
      c.jobState = 'failed';
      c.reason = `${c.reason}; could not be queued: ${(err as Error).message}`;
    }
  }

  /** The rules in force, each with its nodes resolved; a rule naming an unknown node is reported once. */
  private activeRules(config: Config): { rules: ActiveRule[]; problems: PrefetchNodeOutcome[] } {
    const searchable = config.nodes.filter(isArchive).map((n) => n.name);
    const problems = new Map<string, PrefetchNodeOutcome>();
    const rules = this.deps.store
      .rules()
      .filter((r) => r.enabled)
      .map((rule: PrefetchRule) => {
        const nodes =
          rule.nodes.length === 0
            ? searchable
            : rule.nodes.flatMap((name) => {
                const node = config.nodes.find((n) => n.name.toLowerCase() === name.toLowerCase());
                if (!node) {
                  problems.set(name, {
                    node: name,
                    outcome: 'failed',
                    studies: 0,
                    sentence: `Rule "${rule.name}" names node "${name}", which is not configured: add it in Nodes & settings or edit the rule`,
                  });
                  return [];
                }
                return [node.name];
              });
        return { rule, nodes };
      });
    return { rules, problems: [...problems.values()] };
  }

  private patientFacts(request: PrefetchRequest): PatientFacts {
    const records = this.deps.cache.patientsById(request.PatientID, request.IssuerOfPatientID);
    const held = records[0];
    const issuer = request.IssuerOfPatientID ?? (records.length === 1 && held?.IssuerOfPatientID ? held.IssuerOfPatientID : undefined);
    const name = request.PatientName ?? held?.PatientName;
    const birth = request.PatientBirthDate ?? held?.PatientBirthDate;
    return {
      PatientID: request.PatientID,
      ...(issuer ? { IssuerOfPatientID: issuer } : {}),
      ...(name ? { PatientName: name } : {}),
      ...(birth ? { PatientBirthDate: birth } : {}),
    };
  }

  private currentFromRequest(
    request: PrefetchRequest,
    lexicon: BodyPartLexicon,
  ): { facts: PrefetchCurrent; date: string; basis: CurrentFacts['bodyPartBasis'] } | undefined {
    const now = this.now();
    if (!request.current) return undefined;
    if ('scheduled' in request.current) {
      const p = request.current.scheduled;
      const parts = new Set(p.descriptions.flatMap((d) => lexicon.fromDescription(d)));
      return {
        facts: {
          ...(p.StudyInstanceUID ? { StudyInstanceUID: p.StudyInstanceUID } : {}),
          ...(p.date ? { StudyDate: p.date } : {}),
          ...(p.descriptions[0] ? { StudyDescription: p.descriptions[0] } : {}),
          ...(p.AccessionNumber ? { AccessionNumber: p.AccessionNumber } : {}),
          modalities: p.modalities.map((m) => m.toUpperCase()),
          bodyParts: [...parts],
          source: 'worklist',
          ...(p.node ? { node: p.node } : {}),
        },
        date: p.date ?? today(now),
        basis: parts.size ? 'description' : 'none',
      };
    }
    const study = this.deps.cache.study(request.current.StudyInstanceUID);
    if (!study) return undefined;
    const series = this.deps.cache.series(study.StudyInstanceUID);
    const facts = cachedStudyFacts(study, series, lexicon);
    return { facts: { ...factsOf(facts), source: 'cache', seriesCount: series.length }, date: facts.StudyDate ?? today(now), basis: facts.bodyPartBasis };
  }

  /**
   * Series of the remote studies that could still be chosen and whose modality or body part the
   * study level left unknown: newest first, at most {@link MAX_SERIES_QUERIES}.
   */
  private async addSeries(
    candidates: StudyFacts[],
    current: CurrentFacts,
    rules: readonly ActiveRule[],
    nodes: readonly RemoteNode[],
    lexicon: BodyPartLexicon,
    signal?: AbortSignal,
  ): Promise<void> {
    const currentImage = imageModalities(current.modalities);
    const applicable = rules.filter(({ rule }) => rule.forModalities.length === 0 || rule.forModalities.some((m) => currentImage.includes(m)));
    const needsBody = applicable.some(({ rule }) => !rule.allStudies && rule.sameBodyPart);
    const needsModality = applicable.some(({ rule }) => !rule.allStudies && rule.modalities !== 'any');
    if (!needsBody && !needsModality) return;
    const oldest = Math.max(...applicable.map(({ rule }) => rule.years), 0);
    const floor = `${String(Number(current.date.slice(0, 4)) - oldest).padStart(4, '0')}${current.date.slice(4)}`;
    const wanted = candidates
      .filter((s) => !s.foundOn.includes('cache') && s.StudyDate && s.StudyDate < current.date && s.StudyDate >= floor && !s.identity)
      .filter((s) => (needsBody && s.bodyPartBasis !== 'examined') || (needsModality && imageModalities(s.modalities).length === 0))
      .sort((a, b) => (b.StudyDate ?? '').localeCompare(a.StudyDate ?? ''))
      .slice(0, MAX_SERIES_QUERIES);
    for (const study of wanted) {
      if (signal?.aborted) return;
      const node = nodes.find((n) => study.foundOn.includes(n.name));
      if (!node) continue;
      Object.assign(study, await addSeriesFacts(study, node, this.deps.reach, lexicon, signal));
    }
  }

  private candidateOf(study: StudyFacts, selection: ReturnType<typeof selectPriors>[number], active: Map<string, TransferJob>): PrefetchCandidate {
    const c: PrefetchCandidate = {
      StudyInstanceUID: study.StudyInstanceUID,
      foundOn: study.foundOn,
      ...(study.StudyDate ? { StudyDate: study.StudyDate } : {}),
      ...(study.StudyDescription ? { StudyDescription: study.StudyDescription } : {}),
      ...(study.AccessionNumber ? { AccessionNumber: study.AccessionNumber } : {}),
      ...(study.PatientName ? { PatientName: study.PatientName } : {}),
      modalities: study.modalities,
      bodyParts: study.bodyParts,
      ...(study.instances !== undefined ? { instances: study.instances } : {}),
      decision: selection.decision,
      ...(selection.rule ? { rule: selection.rule } : {}),
      ...(selection.node ? { node: selection.node } : {}),
      reason: selection.reason,
    };
    if (c.decision !== 'fetch') return c;
    const held = this.deps.cache.study(study.StudyInstanceUID);
    const job = active.get(study.StudyInstanceUID);
    if (held && (!c.node || study.instances === undefined || held.NumberOfStudyRelatedInstances >= study.instances)) {
      c.decision = 'cached';
      c.reason = `${c.reason}; already in the cache (${held.NumberOfStudyRelatedInstances} instance${held.NumberOfStudyRelatedInstances === 1 ? '' : 's'})`;
    } else if (job) {
      c.decision = 'in-transfer';
      c.jobId = job.id;
      c.jobState = job.state;
      c.reason = `${c.reason}; a retrieve of it is ${job.state} already`;
    } else if (held) {
      c.reason = `${c.reason}; ${held.NumberOfStudyRelatedInstances} of its ${study.instances} instances are in the cache, the rest will be fetched`;
    }
    return c;
  }

  /** A refusal for lack of room in the last minute: prefetch does not add to a full cache. */
  private recentRefusal(): CacheRefusal | undefined {
    const refusal = this.deps.cache.stats().lastRefusal;
    return refusal && this.now() - refusal.at < 60_000 ? refusal : undefined;
  }

  private onTransfer(e: TransferEvent): void {
    const runId = this.jobRuns.get(e.job.id);
    if (!runId) return;
    const run = this.deps.store.run(runId);
    if (!run) return;
    const c = run.candidates.find((x) => x.jobId === e.job.id);
    if (!c || c.jobState === e.job.state) return;
    c.jobState = e.job.state;
    if (e.type !== 'job.finished') return this.save(run);
    this.jobRuns.delete(e.job.id);
    if (e.job.verdict && e.job.state !== 'completed') c.reason = `${c.reason}; the retrieve ended ${e.job.state}: ${e.job.verdict.sentence}`;
    const refusal = this.deps.cache.stats().lastRefusal;
    if (e.job.state !== 'completed' && e.job.state !== 'cancelled' && refusal && refusal.at >= (e.job.startedAt ?? 0)) {
      this.deps.store.updateRun(run);
      this.stopAll(refusal);
      return;
    }
    this.settle(run);
  }

  /** The cache cannot make room: every queued or running prefetch job is cancelled, and each run says why. */
  private stopAll(refusal: CacheRefusal): void {
    const runs = new Set(this.jobRuns.values());
    for (const [jobId] of [...this.jobRuns]) this.deps.transfers.cancel(jobId);
    for (const id of runs) {
      const run = this.deps.store.run(id);
      if (run) this.stop(run, refusal);
    }
    // the run of the job that hit the limit, whose job has already left jobRuns
    for (const run of this.deps.store.runs({ states: ['running'], limit: 50 })) {
      if (!run.candidates.some((c) => c.jobState === 'queued' || c.jobState === 'running')) this.stop(run, refusal);
    }
  }

  private stop(run: PrefetchRun, refusal: CacheRefusal): void {
    if (run.state !== 'running') return;
    for (const c of run.candidates) {
      if (c.jobId && (c.jobState === 'queued' || c.jobState === 'running')) {
        this.jobRuns.delete(c.jobId);
        c.jobState = 'cancelled';
      }
    }
    run.state = 'stopped';
    run.finishedAt = this.now();
    this.unpin(run.id);
    run.sentence = `Prefetch stopped: the cache cannot make room (${refusal.sentence})`;
    this.save(run);
    this.auditRun(run);
  }

  /** Ends a run whose jobs have all ended. */
  private settle(run: PrefetchRun): void {
    const jobs = run.candidates.filter((c) => c.jobId);
    if (jobs.some((c) => c.jobState === 'queued' || c.jobState === 'running')) return this.save(run);
    run.state = jobs.every((c) => c.jobState === 'completed') ? 'completed' : 'incomplete';
    run.finishedAt = this.now();
    this.unpin(run.id);
    run.sentence = sentenceOf(run);
    this.save(run);
    this.auditRun(run);
  }

  private save(run: PrefetchRun): void {
    this.emit(this.deps.store.updateRun(run));
  }

  private auditRun(run: PrefetchRun): void {
    if (run.dryRun || !this.deps.audit) return;
    const fetched = run.candidates.filter((c) => c.jobId).length;
    this.deps.audit.ours('prefetch', {
      direction: 'local',
      outcome:
        run.state === 'failed' || run.state === 'stopped'
          ? AuditOutcome.SeriousFailure
          : run.state === 'incomplete'
            ? AuditOutcome.MinorFailure
            : AuditOutcome.Success,
      ...(run.state === 'stopped' || run.state === 'incomplete' ? { outcomeText: run.sentence } : {}),
      PatientID: run.PatientID,
      ...(run.PatientName ? { PatientName: run.PatientName } : {}),
      ...(run.current?.StudyInstanceUID ? { StudyInstanceUID: run.current.StudyInstanceUID } : {}),
      instances: fetched,
      detail: `${run.trigger}${run.state === 'running' ? '' : ` ${run.state}`}: ${run.sentence}`.slice(0, 300),
    });
  }

  private emit(run: PrefetchRun): void {
    for (const l of this.listeners) {
      try {
        l({ type: 'prefetch.run', run });
      } catch {
        /* a listener's failure is not prefetch's */
      }
    }
  }
}

function factsOf(s: StudyFacts): Omit<PrefetchCurrent, 'source'> {
  return {
    StudyInstanceUID: s.StudyInstanceUID,
    ...(s.StudyDate ? { StudyDate: s.StudyDate } : {}),
    ...(s.StudyDescription ? { StudyDescription: s.StudyDescription } : {}),
    ...(s.AccessionNumber ? { AccessionNumber: s.AccessionNumber } : {}),
    modalities: s.modalities,
    bodyParts: s.bodyParts,
  };
}

/** The one sentence of a run. */
export function sentenceOf(run: PrefetchRun, full?: CacheRefusal): string {
  const count = (d: PrefetchCandidate['decision']) => run.candidates.filter((c) => c.decision === d).length;
  const fetch = count('fetch');
  const cached = count('cached');
  const moving = count('in-transfer');
  const conflicts = count('conflict');
  const what = run.current
    ? `${imageModalities(run.current.modalities).join('/') || 'the'} ${run.current.bodyParts.join('/') || ''} study of ${showDate(run.current.StudyDate)}`.replace(
        /\s+/g,
        ' ',
      )
    : 'the patient';
  const parts: string[] = [];
  const relevant = fetch + cached + moving;
  if (relevant === 0) parts.push(`no relevant prior of ${what} among ${run.candidates.length} earlier stud${run.candidates.length === 1 ? 'y' : 'ies'}`);
  else {
    const done = run.candidates.filter((c) => c.jobState === 'completed').length;
    const failed = run.candidates.filter(
      (c) => c.jobId && c.jobState && c.jobState !== 'completed' && c.jobState !== 'queued' && c.jobState !== 'running',
    ).length;
    let head = `${relevant} relevant prior${relevant === 1 ? '' : 's'} of ${what}`;
    if (run.dryRun) head += `: ${fetch} would be fetched`;
    else if (full && fetch) head += `: ${fetch} not fetched because the cache is full (${full.sentence})`;
    else if (run.state === 'running') head += `: ${fetch} being fetched`;
    else if (fetch) head += `: ${done} of ${fetch} fetched${failed ? `, ${failed} failed` : ''}`;
    if (cached) head += `, ${cached} already in the cache`;
    if (moving) head += `, ${moving} already being retrieved`;
    parts.push(head);
  }
  if (conflicts)
    parts.push(
      `${conflicts} stud${conflicts === 1 ? 'y' : 'ies'} with the same Patient ID but another name or birth date left alone: check the patient's identity`,
    );
  const failedNodes = run.nodes.filter((n) => n.outcome !== 'ok');
  if (failedNodes.length) parts.push(failedNodes.map((n) => (n.sentence ?? `${n.node} did not answer`).replace(/\.+$/, '')).join('; '));
  const s = parts.join('; ');
  return `${s.charAt(0).toUpperCase()}${s.slice(1)}.`;
}
