/**
 * `priors export` and the Local cache screen's Export: studies of the cache written to a folder
 * or a ZIP, as stored, as a General Purpose medium with a DICOMDIR (PS3.10 §8, PS3.11 Annex D
 * STD-GEN-CD: File-set Creator and Reader), de-identified (PS3.15 E.1), or both. Instances are
 * written one after another, each streamed from its file; one that cannot be written is left
 * out with its reason and the export goes on (a ZIP entry failing half-way fails the export).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { ExportRequest, ExportResult, ExportedStudy, LeftOut } from '../../../shared/export.js';
import { zipFileName } from '../../../shared/export.js';
import { generateUid, uidName } from '../../../shared/dicom/uids.js';
import type { InstanceSourceRow } from '../../cache/listing.js';
import { InputError } from '../nodes/nodes.js';
import { buildDicomdir, type MediaFile } from './dicomdir.js';
import { pseudonymProblem, type DeidentifyContext } from './deidentify.js';
import { FileIdAllocator, safeFolderName } from './file-ids.js';
import { instanceOutput, LeftOutError, type ExportTranscoder } from './instance-output.js';
import { openFolderSink, openZipSink, type ExportSink } from './sink.js';
import { UidRemapper } from './uid-remap.js';

/** The cache as an export reads it (electron/cache Cache fits). */
export interface ExportSource {
  instancesFor(level: 'STUDY', uids: readonly string[]): InstanceSourceRow[];
  study(uid: string): { PatientID?: string; PatientName?: string; IssuerOfPatientID?: string } | undefined;
}

/** Progress after each instance. */
export interface ExportProgress {
  done: number;
  total: number;
  leftOut: number;
}

/** Options of {@link exportStudies}. */
export interface ExportOptions {
  signal?: AbortSignal;
  onProgress?: (p: ExportProgress) => void;
  now?: () => Date;
  /** The secret of the UID replacement (tests); random otherwise. */
  uidSecret?: Uint8Array;
}

/** A leading ~ is the user's home; relative paths are taken from the current directory. */
export function resolveOut(out: string): string {
  const expanded = out === '~' || out.startsWith('~/') || out.startsWith('~\\') ? join(homedir(), out.slice(1)) : out;
  return isAbsolute(expanded) ? expanded : resolve(expanded);
}

/** A pseudonym nobody chose: ANON- and 8 characters from an alphabet without look-alikes. */
export function generatePseudonym(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  return `ANON-${[...randomBytes(8)].map((b) => alphabet[b % alphabet.length]).join('')}`;
}

interface Patient {
  key: string;
  pseudonym?: string;
  PatientID?: string;
  PatientName?: string;
}

/** The patients of the studies, and each study's; every study must be in the cache. */
function patientsOf(source: ExportSource, studies: readonly string[]): Map<string, Patient> {
  const byStudy = new Map<string, Patient>();
  const byKey = new Map<string, Patient>();
  for (const uid of studies) {
    const s = source.study(uid);
    if (!s) throw new InputError(`Study ${uid} is not in the local cache; "priors ls" lists what is`);
    const key = `${s.PatientID ?? ''}\u0000${s.IssuerOfPatientID ?? ''}`;
    let p = byKey.get(key);
    if (!p) byKey.set(key, (p = { key, ...(s.PatientID ? { PatientID: s.PatientID } : {}), ...(s.PatientName ? { PatientName: s.PatientName } : {}) }));
    byStudy.set(uid, p);
  }
  return byStudy;
}

/** What the instance is, for a sentence: "CT Image Storage instance 1.2.3 of study 4.5.6". */
function describe(row: InstanceSourceRow): string {
  return `${uidName(row.sopClassUid)} instance ${row.sopInstanceUid}`;
}

/**
 * Exports the studies as asked. The result lists what was written and what was left out; when
 * nothing could be written the destination is removed again (an empty folder it made, a partial
 * ZIP) and the result says so with `instances: 0`.
 * @throws InputError for a request that cannot be done (unknown study, unusable destination, a pseudonym for several patients).
 */
export async function exportStudies(
  source: ExportSource,
  transcoder: ExportTranscoder,
  request: ExportRequest,
  options: ExportOptions = {},
): Promise<ExportResult> {
  const started = Date.now();
  const now = options.now?.() ?? new Date();
  const studyUids = [...new Set(request.studies.map((s) => s.trim()).filter(Boolean))];
  if (studyUids.length === 0) throw new InputError('No study to export: give at least one Study Instance UID');
  const patientOf = patientsOf(source, studyUids);
  const patients = [...new Set(patientOf.values())];
  let deid: ((p: Patient) => DeidentifyContext) | undefined;
  const generated = request.deidentify ? !request.deidentify.pseudonym : false;
  if (request.deidentify) {
    const d = request.deidentify;
    if (d.pseudonym !== undefined) {
      const problem = pseudonymProblem(d.pseudonym);
      if (problem) throw new InputError(`Cannot de-identify with pseudonym "${d.pseudonym}": ${problem}`);
      if (patients.length > 1)
        throw new InputError(
          `These studies belong to ${patients.length} patients, and one pseudonym would merge them: export each patient on its own, or leave out the pseudonym to have one generated per patient`,
        );
    }
    for (const p of patients) p.pseudonym = d.pseudonym ?? generatePseudonym();
    const uids = new UidRemapper(options.uidSecret);
    deid = (p) => ({ uids, pseudonym: p.pseudonym!, retainDates: d.retainDates === true, cleanDescriptors: d.cleanDescriptors === true });
  }
  const rows = source.instancesFor('STUDY', studyUids);
  const out = resolveOut(request.out);
  const zipPath = request.zip ? (/\.zip$/i.test(out) ? out : join(out, zipFileName(now))) : undefined;
  const sink: ExportSink = zipPath ? await openZipSink(zipPath, { mtime: now }) : await openFolderSink(out);
  const dicomdir = request.dicomdir === true;
  const ids = new FileIdAllocator();
  const media: MediaFile[] = [];
  const leftOut: LeftOut[] = [];
  const counts = new Map<string, number>();
  const exportedUid = new Map<string, string>();
  let bytes = 0;
  let done = 0;
  let burnedInIncluded = 0;
  try {
    for (const row of rows) {
      if (options.signal?.aborted) throw options.signal.reason instanceof Error ? options.signal.reason : new Error('The export was cancelled');
      const patient = patientOf.get(row.studyInstanceUid)!;
      const ctx = deid?.(patient);
      const fileId = dicomdir ? ids.next(patient.key, row.studyInstanceUid, row.seriesInstanceUid) : undefined;
      try {
        const output = await instanceOutput(row, {
          dicomdir,
          transcoder,
          ...(ctx ? { deid: ctx, allowBurnedIn: request.deidentify?.allowBurnedIn === true } : {}),
          ...(fileId ? { numbers: fileId.numbers } : {}),
        });
        const studyOut = ctx ? ctx.uids.remap(row.studyInstanceUid) : row.studyInstanceUid;
        let path: string[];
        if (fileId) path = fileId.path;
        else {
          const sop = 'copy' in output ? row.sopInstanceUid : output.sopInstanceUid;
          const series = ctx ? ctx.uids.remap(row.seriesInstanceUid) : row.seriesInstanceUid;
          path = [safeFolderName(patient.pseudonym ?? patient.PatientID ?? '', 'NO_PATIENT_ID'), studyOut, series, `${sop}.dcm`];
        }
        bytes += await sink.write(path, 'copy' in output ? createReadStream(row.path) : output.parts);
        if (dicomdir && !('copy' in output)) {
          media.push({
            fileId: path,
            sopClassUid: row.sopClassUid,
            sopInstanceUid: output.sopInstanceUid,
            transferSyntaxUid: output.transferSyntaxUid,
            dataSet: output.header,
            patientKey: patient.key,
          });
        }
        counts.set(row.studyInstanceUid, (counts.get(row.studyInstanceUid) ?? 0) + 1);
        if (!('copy' in output) && output.burnedIn) burnedInIncluded++;
        if (ctx) exportedUid.set(row.studyInstanceUid, studyOut);
      } catch (e) {
        if (!(e instanceof LeftOutError) && (sink.atomic || atDestination(e, sink.location))) throw e;
        if (fileId) ids.undo(patient.key, row.studyInstanceUid, row.seriesInstanceUid);
        leftOut.push({
          SOPInstanceUID: row.sopInstanceUid,
          StudyInstanceUID: row.studyInstanceUid,
          what: describe(row),
          reason: reasonOf(e),
          ...(e instanceof LeftOutError && e.burnedIn ? { burnedIn: true } : {}),
        });
      }
      done++;
      options.onProgress?.({ done, total: rows.length, leftOut: leftOut.length });
    }
    if (done - leftOut.length === 0) {
      await sink.abort();
    } else {
      if (dicomdir) {
        const bytesOfDir = buildDicomdir(media, { fileSetId: 'PRIORS_EXPORT', fileSetUid: generateUid() });
        bytes += await sink.write(
          ['DICOMDIR'],
          (async function* () {
            yield bytesOfDir;
          })(),
        );
      }
      await sink.close();
      if (zipPath) bytes = (await stat(zipPath)).size;
    }
  } catch (e) {
    await sink.abort().catch(() => undefined);
    throw e;
  }
  const studies: ExportedStudy[] = studyUids.map((uid) => {
    const p = patientOf.get(uid)!;
    return {
      StudyInstanceUID: uid,
      instances: counts.get(uid) ?? 0,
      ...(p.PatientID ? { PatientID: p.PatientID } : {}),
      ...(p.PatientName ? { PatientName: p.PatientName } : {}),
      ...(p.pseudonym ? { pseudonym: p.pseudonym } : {}),
      ...(exportedUid.has(uid) ? { exportedStudyInstanceUID: exportedUid.get(uid)! } : {}),
    };
  });
  return {
    location: sink.location,
    kind: zipPath ? 'zip' : 'folder',
    dicomdir,
    instances: done - leftOut.length,
    bytes,
    studies,
    leftOut,
    ...(request.deidentify
      ? {
          deidentified: {
            retainDates: request.deidentify.retainDates === true,
            cleanDescriptors: request.deidentify.cleanDescriptors === true,
            generatedPseudonym: generated,
            allowBurnedIn: request.deidentify.allowBurnedIn === true,
            burnedInIncluded,
          },
        }
      : {}),
    elapsedMs: Date.now() - started,
  };
}

/** Whether a file system error is the destination's (full, read-only, not allowed): the export stops. */
function atDestination(e: unknown, location: string): boolean {
  const path = (e as NodeJS.ErrnoException).path;
  return typeof path === 'string' && resolve(path).startsWith(location);
}

/** The reason an instance was left out, as the end of a sentence. */
function reasonOf(e: unknown): string {
  if (e instanceof LeftOutError) return e.reason;
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'ENOENT' && err.path) return `its file ${err.path} is missing (run "priors doctor")`;
  return `it could not be read: ${(err.message ?? String(e)).replace(/\.$/, '')}`;
}
