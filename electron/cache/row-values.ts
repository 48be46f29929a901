/**
 * The column values of patient, study and series rows, derived from the attributes received
 * (normalize.ts), and the merge rule of repository.ts: a value received replaces the stored
 * one, an absent one keeps it.
 */
import type { PatientFields, SeriesFields, StudyFields } from '../../shared/records.js';
import { foldCase, normalizeDate, normalizeTime, orNull } from './normalize.js';

/** A row as better-sqlite3 returns it. */
export type Row = Record<string, unknown> & { id: number };
/** Column values to bind. */
export type Values = Record<string, string | null>;

/** Patient columns. */
export function patientValues(p: PatientFields): Values {
  const time = normalizeTime(p.PatientBirthTime);
  return {
    PatientName: orNull(p.PatientName),
    PatientNameUpper: p.PatientName ? foldCase(p.PatientName) : null,
    PatientBirthDate: orNull(p.PatientBirthDate),
    PatientBirthDateN: normalizeDate(p.PatientBirthDate),
    PatientBirthTime: orNull(p.PatientBirthTime),
    PatientBirthTimeLow: time.low,
    PatientBirthTimeHigh: time.high,
    PatientSex: orNull(p.PatientSex),
  };
}

/** Study columns. */
export function studyValues(s: StudyFields): Values {
  const time = normalizeTime(s.StudyTime);
  return {
    StudyDate: orNull(s.StudyDate),
    StudyDateN: normalizeDate(s.StudyDate),
    StudyTime: orNull(s.StudyTime),
    StudyTimeLow: time.low,
    StudyTimeHigh: time.high,
    AccessionNumber: orNull(s.AccessionNumber),
    StudyID: orNull(s.StudyID),
    ReferringPhysicianName: orNull(s.ReferringPhysicianName),
    StudyDescription: orNull(s.StudyDescription),
  };
}

/** Series columns. */
export function seriesValues(s: SeriesFields): Values {
  const time = normalizeTime(s.SeriesTime);
  return {
    Modality: orNull(s.Modality),
    SeriesNumber: orNull(s.SeriesNumber),
    SeriesDescription: orNull(s.SeriesDescription),
    BodyPartExamined: orNull(s.BodyPartExamined),
    SeriesDate: orNull(s.SeriesDate),
    SeriesDateN: normalizeDate(s.SeriesDate),
    SeriesTime: orNull(s.SeriesTime),
    SeriesTimeLow: time.low,
    SeriesTimeHigh: time.high,
  };
}

/**
 * Values received replace stored ones; absent ones keep them. Compares the attributes as
 * received (the derived columns follow from them) and returns the merged attributes, or
 * undefined when nothing changes.
 */
export function merge<T extends object>(stored: Row, incoming: T, keys: readonly (keyof T & string)[]): T | undefined {
  let changed = false;
  const out = { ...incoming };
  for (const k of keys) {
    const v = orNull(incoming[k] as string | undefined);
    const keep = v ?? (stored[k] as string | null);
    if (keep !== stored[k]) changed = true;
    (out as Record<string, unknown>)[k] = keep ?? undefined;
  }
  return changed ? out : undefined;
}

/** The attributes received that rows keep (their derived columns follow from them). */
export const PATIENT_ATTRIBUTES = ['PatientName', 'PatientBirthDate', 'PatientBirthTime', 'PatientSex'] as const;
export const STUDY_ATTRIBUTES = ['StudyDate', 'StudyTime', 'AccessionNumber', 'StudyID', 'ReferringPhysicianName', 'StudyDescription'] as const;
export const SERIES_ATTRIBUTES = ['Modality', 'SeriesNumber', 'SeriesDescription', 'BodyPartExamined', 'SeriesDate', 'SeriesTime'] as const;

/** INSERT with named parameters. */
export function insertSql(table: string, columns: string[]): string {
  return `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`;
}

/** UPDATE by id with named parameters. */
export function updateSql(table: string, columns: string[]): string {
  return `UPDATE ${table} SET ${columns.map((c) => `${c} = @${c}`).join(', ')} WHERE id = @id`;
}

/** Column lists of the tables, as bound by insertSql/updateSql. */
export const PATIENT_COLUMNS = Object.keys(patientValues({ PatientID: '', IssuerOfPatientID: '' }));
export const STUDY_COLUMNS = Object.keys(studyValues({ StudyInstanceUID: '' }));
export const SERIES_COLUMNS = Object.keys(seriesValues({ SeriesInstanceUID: '' }));
export const INSTANCE_COLUMNS = [
  'SOPClassUID',
  'InstanceNumber',
  'TransferSyntaxUID',
  'file_path',
  'file_size',
  'data_set_offset',
  'received_at',
  'source_ae_title',
  'last_accessed_at',
];
