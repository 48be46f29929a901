/**
 * Prefetch from the Modality Worklist (PS3.4 Annex K): each node marked as a worklist provider
 * is asked, when Priors starts and then at its interval, for the procedures scheduled from an
 * hour ago (a patient may be on the table now) to `hoursAhead` from now, optionally only those of
 * one station (Scheduled Station AE Title) or modality. Each requested procedure not seen before
 * starts one prefetch for its patient, the procedure standing for the current study (its
 * modality, and its body part from the Requested Procedure and Scheduled Step descriptions and
 * code meanings). Procedures are remembered in the index: once per procedure, across restarts.
 */
import { nodeAddressText, type Config, type RemoteNode, type WorklistSettings } from '../../../shared/config.js';
import { type DataSet, getItems, getString, getStrings } from '../../../shared/dicom/dataset.js';
import { tagOf, vrOf } from '../../../shared/dicom/dictionary.js';
import { Status, statusCategory } from '../../../shared/dicom/status.js';
import type { PrefetchRun } from '../../../shared/prefetch.js';
import { diagnose } from '../../../shared/diagnostics.js';
import { findWorklist, type ScuOptions } from '../../dimse/scu/index.js';
import type { Logger } from '../../dimse/ul/association.js';
import { dicomNodeOf } from '../nodes/dicom-node.js';
import { describeError, describeStatus, type FailureContext } from '../nodes/diagnose.js';
import { markCharacterSet } from '../query/query-keys.js';
import type { Timers } from './arrival-trigger.js';
import { today, type PrefetchRequest } from './prefetcher.js';

/** One Requested Procedure of the worklist, with its Scheduled Procedure Steps. */
export interface WorklistProcedure {
  /** Once-per-procedure key: node, and Study Instance UID or Accession Number + Requested Procedure ID. */
  key: string;
  PatientID: string;
  IssuerOfPatientID?: string;
  PatientName?: string;
  PatientBirthDate?: string;
  StudyInstanceUID?: string;
  AccessionNumber?: string;
  /** YYYYMMDD of the earliest step. */
  date?: string;
  /** HHMMSS of the earliest step. */
  time?: string;
  modalities: string[];
  /** Requested Procedure Description, step descriptions, code meanings: where the body part is read. */
  descriptions: string[];
  stations: string[];
}

const T = (keyword: string) => tagOf(keyword);

function text(ds: DataSet, keyword: string): string | undefined {
  const v = getString(ds, T(keyword))?.trim();
  return v ? v : undefined;
}

function put(ds: DataSet, keyword: string, value?: string): void {
  const t = T(keyword);
  ds.set(t, { vr: vrOf(t), value: value === undefined ? [] : [value] });
}

/** An empty sequence item asking for the code's meaning (PS3.4 K.6.1.2.2: sequence matching with a universal item). */
function codeReturnKey(): DataSet {
  const item: DataSet = new Map();
  put(item, 'CodeValue');
  put(item, 'CodingSchemeDesignator');
  put(item, 'CodeMeaning');
  return item;
}

/** The C-FIND identifier for the steps scheduled from `from` to `to` (ms), filtered as the settings say. */
export function worklistIdentifier(settings: WorklistSettings, from: number, to: number): DataSet {
  const ds: DataSet = new Map();
  for (const k of [
    'PatientName',
    'PatientID',
    'IssuerOfPatientID',
    'PatientBirthDate',
    'PatientSex',
    'AccessionNumber',
    'RequestedProcedureID',
    'RequestedProcedureDescription',
    'StudyInstanceUID',
  ])
    put(ds, k);
  ds.set(T('RequestedProcedureCodeSequence'), { vr: 'SQ', value: [codeReturnKey()] });
  const step: DataSet = new Map();
  put(step, 'ScheduledStationAETitle', settings.stationAeTitle);
  const first = today(from);
  const last = today(to);
  put(step, 'ScheduledProcedureStepStartDate', first === last ? first : `${first}-${last}`);
  put(step, 'ScheduledProcedureStepStartTime');
  put(step, 'Modality', settings.modality);
  put(step, 'ScheduledProcedureStepDescription');
  put(step, 'ScheduledProcedureStepID');
  step.set(T('ScheduledProtocolCodeSequence'), { vr: 'SQ', value: [codeReturnKey()] });
  ds.set(T('ScheduledProcedureStepSequence'), { vr: 'SQ', value: [step] });
  markCharacterSet(ds);
  return ds;
}

/** Milliseconds since the epoch of a local DA + TM (the day's start when the time is absent). */
function localTime(da: string, tm?: string): number {
  const t = (tm ?? '').replace(/[^0-9]/g, '').padEnd(6, '0');
  return new Date(
    Number(da.slice(0, 4)),
    Number(da.slice(4, 6)) - 1,
    Number(da.slice(6, 8)),
    Number(t.slice(0, 2)),
    Number(t.slice(2, 4)),
    Number(t.slice(4, 6)),
  ).getTime();
}

/** One worklist answer as a procedure, or undefined when it has no Patient ID (nothing to look for). */
export function readWorklistItem(ds: DataSet, node: string): WorklistProcedure | undefined {
  const patientId = text(ds, 'PatientID');
  if (!patientId) return undefined;
  const study = text(ds, 'StudyInstanceUID');
  const accession = text(ds, 'AccessionNumber');
  const rpId = text(ds, 'RequestedProcedureID');
  const meanings = (keyword: string, from: DataSet) =>
    getItems(from, T(keyword))
      .map((c) => text(c, 'CodeMeaning'))
      .filter((m): m is string => !!m);
  const steps = getItems(ds, T('ScheduledProcedureStepSequence'));
  const descriptions = [text(ds, 'RequestedProcedureDescription'), ...meanings('RequestedProcedureCodeSequence', ds)];
  const modalities = new Set<string>();
  const stations = new Set<string>();
  let date: string | undefined;
  let time: string | undefined;
  for (const s of steps) {
    for (const m of getStrings(s, T('Modality'))) if (m.trim()) modalities.add(m.trim().toUpperCase());
    const station = text(s, 'ScheduledStationAETitle');
    if (station) stations.add(station);
    descriptions.push(text(s, 'ScheduledProcedureStepDescription'), ...meanings('ScheduledProtocolCodeSequence', s));
    const d = text(s, 'ScheduledProcedureStepStartDate');
    const t = text(s, 'ScheduledProcedureStepStartTime');
    if (d && /^\d{8}$/.test(d) && (!date || `${d}${t ?? ''}` < `${date}${time ?? ''}`)) {
      date = d;
      time = t;
    }
  }
  const procedure = study ?? (accession || rpId ? `${accession ?? ''}/${rpId ?? ''}` : `${patientId}/${date ?? ''}/${[...modalities].join('')}`);
  const issuer = text(ds, 'IssuerOfPatientID');
  const name = text(ds, 'PatientName');
  const birth = text(ds, 'PatientBirthDate');
  return {
    key: `${node}|${procedure}`,
    PatientID: patientId,
    ...(issuer ? { IssuerOfPatientID: issuer } : {}),
    ...(name ? { PatientName: name } : {}),
    ...(birth ? { PatientBirthDate: birth } : {}),
    ...(study ? { StudyInstanceUID: study } : {}),
    ...(accession ? { AccessionNumber: accession } : {}),
    ...(date ? { date } : {}),
    ...(time ? { time } : {}),
    modalities: [...modalities],
    descriptions: [...new Set(descriptions.filter((d): d is string => !!d))],
    stations: [...stations],
  };
}

/** What the poller needs. */
export interface WorklistPollerDeps {
  config: () => Config;
  prefetcher: { run(request: PrefetchRequest): Promise<PrefetchRun>; hasNodes(): boolean };
  /** Once per procedure (the index's worklist_seen). */
  claim(key: string, node: string): boolean;
  release(key: string): void;
  ran(key: string, runId: string): void;
  scu(signal?: AbortSignal): ScuOptions;
  failure(node: RemoteNode): Promise<FailureContext>;
  enabled(): boolean;
  log?: Logger;
  now?: () => number;
  timers?: Timers;
}

/** How one poll of one node went. */
export interface PollReport {
  node: string;
  procedures: number;
  /** Procedures prefetched for in this poll (not seen before). */
  started: number;
  /** The sentence of a failure. */
  error?: string;
}

/** An hour back: a procedure that started a while ago may still be on the table. */
const LOOK_BACK_MS = 3_600_000;

/** Polls the worklist providers of the configuration. */
export class WorklistPoller {
  private readonly timers = new Map<string, unknown>();
  private readonly lastError = new Map<string, string>();
  private closed = false;
  private readonly now: () => number;

  constructor(private readonly deps: WorklistPollerDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Polls every worklist provider now, then each at its interval. */
  start(): void {
    for (const node of this.deps.config().nodes.filter((n) => n.worklist)) this.schedule(node.name, 0);
  }

  /** Stops polling (a poll in progress finishes). */
  close(): void {
    this.closed = true;
    for (const t of this.timers.values()) (this.deps.timers ?? defaultTimers).clearTimeout(t);
    this.timers.clear();
  }

  private schedule(name: string, ms: number): void {
    if (this.closed) return;
    const timers = this.deps.timers ?? defaultTimers;
    this.timers.set(
      name,
      timers.setTimeout(() => {
        void this.pollNamed(name).finally(() => {
          const node = this.deps.config().nodes.find((n) => n.name === name);
          if (node?.worklist) this.schedule(name, node.worklist.intervalMinutes * 60_000);
          else this.timers.delete(name);
        });
      }, ms),
    );
  }

  private async pollNamed(name: string): Promise<void> {
    const node = this.deps.config().nodes.find((n) => n.name === name);
    if (node?.worklist) await this.poll(node);
  }

  /** Asks one provider and prefetches for the procedures not seen before. Never rejects. */
  async poll(node: RemoteNode): Promise<PollReport> {
    const settings = node.worklist;
    if (!settings) return { node: node.name, procedures: 0, started: 0, error: `${node.name} is not marked as a worklist provider` };
    const now = this.now();
    const from = now - LOOK_BACK_MS;
    const to = now + settings.hoursAhead * 3_600_000;
    const procedures = new Map<string, WorklistProcedure>();
    try {
      const stream = findWorklist(dicomNodeOf(node), worklistIdentifier(settings, from, to), this.deps.scu());
      for await (const ds of stream) {
        const p = readWorklistItem(ds, node.name);
        if (!p) continue;
        const at = p.date ? localTime(p.date, p.time) : undefined;
        if (at !== undefined && (at < from || at > to)) continue;
        if (settings.stationAeTitle && p.stations.length && !p.stations.includes(settings.stationAeTitle)) continue;
        const held = procedures.get(p.key);
        if (held) {
          held.modalities = [...new Set([...held.modalities, ...p.modalities])];
          held.descriptions = [...new Set([...held.descriptions, ...p.descriptions])];
        } else procedures.set(p.key, p);
      }
      const outcome = await stream.outcome;
      if (
        statusCategory(outcome.status) === 'failure' ||
        (outcome.status !== Status.Success && statusCategory(outcome.status) !== 'warning' && procedures.size === 0)
      ) {
        throw Object.assign(new Error('status'), { dimse: outcome });
      }
      this.lastError.delete(node.name);
    } catch (err) {
      const dimse = (err as { dimse?: { status: number; errorComment?: string } }).dimse;
      const context = await this.deps.failure(node);
      const sentence = diagnose(dimse ? describeStatus('find', dimse.status, dimse.errorComment, context) : describeError(err, context)).sentence;
      if (this.lastError.get(node.name) !== sentence) {
        this.deps.log?.('warn', `worklist ${node.name} (${nodeAddressText(node)}): ${sentence}`);
        this.lastError.set(node.name, sentence);
      }
      return { node: node.name, procedures: 0, started: 0, error: sentence };
    }
    let started = 0;
    if (this.deps.enabled() && this.deps.prefetcher.hasNodes()) {
      for (const p of procedures.values()) {
        if (this.closed || !this.deps.claim(p.key, node.name)) continue;
        try {
          const run = await this.deps.prefetcher.run({
            trigger: 'worklist',
            triggerDetail: `${node.name}: ${p.modalities.join('/') || 'a procedure'}${p.descriptions[0] ? ` ${p.descriptions[0]}` : ''}${p.date ? ` at ${p.date.slice(0, 4)}-${p.date.slice(4, 6)}-${p.date.slice(6)}${p.time ? ` ${p.time.slice(0, 2)}:${p.time.slice(2, 4)}` : ''}` : ''}`,
            PatientID: p.PatientID,
            ...(p.IssuerOfPatientID ? { IssuerOfPatientID: p.IssuerOfPatientID } : {}),
            ...(p.PatientName ? { PatientName: p.PatientName } : {}),
            ...(p.PatientBirthDate ? { PatientBirthDate: p.PatientBirthDate } : {}),
            current: {
              scheduled: {
                ...(p.StudyInstanceUID ? { StudyInstanceUID: p.StudyInstanceUID } : {}),
                ...(p.date ? { date: p.date } : {}),
                ...(p.AccessionNumber ? { AccessionNumber: p.AccessionNumber } : {}),
                modalities: p.modalities,
                descriptions: p.descriptions,
                node: node.name,
              },
            },
          });
          this.deps.ran(p.key, run.id);
          started++;
        } catch (err) {
          this.deps.release(p.key);
          this.deps.log?.('warn', `worklist ${node.name}: prefetch for patient ${p.PatientID} failed: ${(err as Error).message}`);
        }
      }
    }
    this.deps.log?.('debug', `worklist ${node.name}: ${procedures.size} procedure(s) scheduled soon, ${started} new`);
    return { node: node.name, procedures: procedures.size, started };
  }
}

const defaultTimers: Timers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};
