/**
 * The read side of the index for the UI, the CLI and the retrieve services: listings by level,
 * the instances to send for a retrieve, delivery checks and totals.
 */
import { join } from 'node:path';
import type { QueryLevel } from '../../shared/dicom/query.js';
import type { CacheStats, InstanceRecord, InstanceSource, PatientRecord, SeriesRecord, StudyRecord } from '../../shared/records.js';
import type { Db } from './db.js';

/** One stored instance as the SCP sends it, plus its place in the hierarchy. */
export interface InstanceSourceRow extends InstanceSource {
  studyInstanceUid: string;
  seriesInstanceUid: string;
}

/** Paging of a listing. */
export interface Page {
  limit?: number;
  offset?: number;
}

type Row = Record<string, unknown>;

/** Most bound parameters per statement (SQLite's default limit is 32766; stay well below). */
const CHUNK = 500;

function chunks<T>(values: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += CHUNK) out.push(values.slice(i, i + CHUNK));
  return out;
}

function pick(row: Row, keys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of keys) if (row[k] !== null && row[k] !== undefined) out[k] = String(row[k]);
  return out;
}

function split(v: unknown): string[] {
  return typeof v === 'string' && v !== '' ? v.split('\\') : [];
}

const PATIENT_KEYS = ['PatientName', 'PatientBirthDate', 'PatientBirthTime', 'PatientSex'];
const STUDY_KEYS = ['StudyDate', 'StudyTime', 'AccessionNumber', 'StudyID', 'ReferringPhysicianName', 'StudyDescription', 'PatientName'];
const SERIES_KEYS = ['Modality', 'SeriesNumber', 'SeriesDescription', 'BodyPartExamined', 'SeriesDate', 'SeriesTime'];

const STUDY_SELECT = `SELECT s.*, p.PatientID, p.IssuerOfPatientID, p.PatientName FROM study s JOIN patient p ON p.id = s.patient_pk`;
const SOURCE_SELECT = `SELECT i.SOPClassUID, i.SOPInstanceUID, i.TransferSyntaxUID, i.file_path, i.file_size, i.data_set_offset,
  s.StudyInstanceUID, se.SeriesInstanceUID
  FROM instance i JOIN series se ON se.id = i.series_pk JOIN study s ON s.id = se.study_pk JOIN patient p ON p.id = s.patient_pk`;
const SOURCE_KEY: Readonly<Record<QueryLevel, string>> = {
  PATIENT: 'p.PatientID',
  STUDY: 's.StudyInstanceUID',
  SERIES: 'se.SeriesInstanceUID',
  IMAGE: 'i.SOPInstanceUID',
};

/** Listings over one connection. */
export class Listing {
  constructor(
    private readonly db: Db,
    private readonly dataDir: string,
  ) {}

  /** Patients, by name. */
  patients(page: Page = {}): PatientRecord[] {
    const rows = this.db
      .prepare('SELECT * FROM patient ORDER BY PatientNameUpper, PatientID LIMIT ? OFFSET ?')
      .all(page.limit ?? -1, page.offset ?? 0) as Row[];
    return rows.map(toPatient);
  }

  /** The patients with this Patient ID (one per issuer; only that issuer's when given). */
  patientsById(patientId: string, issuer?: string): PatientRecord[] {
    const rows =
      issuer === undefined
        ? (this.db.prepare('SELECT * FROM patient WHERE PatientID = ? ORDER BY IssuerOfPatientID').all(patientId) as Row[])
        : (this.db.prepare('SELECT * FROM patient WHERE PatientID = ? AND IssuerOfPatientID = ?').all(patientId, issuer) as Row[]);
    return rows.map(toPatient);
  }

  /** Studies, newest first; of one patient when `PatientID` (and optionally the issuer) is given. */
  studies(filter: Page & { PatientID?: string; IssuerOfPatientID?: string; StudyInstanceUID?: string } = {}): StudyRecord[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.StudyInstanceUID !== undefined) {
      where.push('s.StudyInstanceUID = ?');
      params.push(filter.StudyInstanceUID);
    }
    if (filter.PatientID !== undefined) {
      where.push('p.PatientID = ?');
      params.push(filter.PatientID);
    }
    if (filter.IssuerOfPatientID !== undefined) {
      where.push('p.IssuerOfPatientID = ?');
      params.push(filter.IssuerOfPatientID);
    }
    const sql = `${STUDY_SELECT}${where.length ? ` WHERE ${where.join(' AND ')}` : ''}
      ORDER BY s.StudyDateN DESC, s.StudyTimeLow DESC LIMIT ? OFFSET ?`;
    return (this.db.prepare(sql).all(...params, filter.limit ?? -1, filter.offset ?? 0) as Row[]).map(toStudy);
  }

  /** One study, or undefined. */
  study(studyInstanceUid: string): StudyRecord | undefined {
    const row = this.db.prepare(`${STUDY_SELECT} WHERE s.StudyInstanceUID = ?`).get(studyInstanceUid) as Row | undefined;
    return row ? toStudy(row) : undefined;
  }

  /** Series of a study, by series number. */
  series(studyInstanceUid: string): SeriesRecord[] {
    const rows = this.db
      .prepare(
        `SELECT se.*, s.StudyInstanceUID FROM series se JOIN study s ON s.id = se.study_pk
      WHERE s.StudyInstanceUID = ? ORDER BY dicom_number(se.SeriesNumber), se.SeriesInstanceUID`,
      )
      .all(studyInstanceUid) as Row[];
    return rows.map((r) => ({
      ...pick(r, SERIES_KEYS),
      SeriesInstanceUID: String(r.SeriesInstanceUID),
      StudyInstanceUID: String(r.StudyInstanceUID),
      NumberOfSeriesRelatedInstances: Number(r.NumberOfSeriesRelatedInstances),
      size: Number(r.size),
    }));
  }

  /** Instances of a series with their files, by instance number. */
  instances(seriesInstanceUid: string): InstanceRecord[] {
    const rows = this.db
      .prepare(
        `SELECT i.*, se.SeriesInstanceUID, s.StudyInstanceUID FROM instance i
      JOIN series se ON se.id = i.series_pk JOIN study s ON s.id = se.study_pk
      WHERE se.SeriesInstanceUID = ? ORDER BY dicom_number(i.InstanceNumber), i.SOPInstanceUID`,
      )
      .all(seriesInstanceUid) as Row[];
    return rows.map((r) => ({
      SOPInstanceUID: String(r.SOPInstanceUID),
      SOPClassUID: String(r.SOPClassUID),
      ...(r.InstanceNumber !== null ? { InstanceNumber: String(r.InstanceNumber) } : {}),
      SeriesInstanceUID: String(r.SeriesInstanceUID),
      StudyInstanceUID: String(r.StudyInstanceUID),
      transferSyntaxUid: String(r.TransferSyntaxUID),
      filePath: String(r.file_path),
      fileSize: Number(r.file_size),
      dataSetOffset: Number(r.data_set_offset),
      receivedAt: Number(r.received_at),
      ...(r.source_ae_title !== null ? { sourceAeTitle: String(r.source_ae_title) } : {}),
      lastAccessedAt: Number(r.last_accessed_at),
    }));
  }

  /**
   * The instances to send for a retrieve at `level` of the given unique key values (Patient
   * IDs, Study, Series or SOP Instance UIDs), with absolute paths.
   */
  instancesFor(level: QueryLevel, uids: readonly string[]): InstanceSourceRow[] {
    const out: InstanceSourceRow[] = [];
    for (const part of chunks([...new Set(uids)])) {
      const sql = `${SOURCE_SELECT} WHERE ${SOURCE_KEY[level]} IN (${part.map(() => '?').join(', ')})
        ORDER BY s.id, se.id, dicom_number(i.InstanceNumber), i.id`;
      for (const r of this.db.prepare(sql).all(...part) as Row[]) {
        const offset = Number(r.data_set_offset);
        out.push({
          sopClassUid: String(r.SOPClassUID),
          sopInstanceUid: String(r.SOPInstanceUID),
          transferSyntaxUid: String(r.TransferSyntaxUID),
          path: join(this.dataDir, String(r.file_path)),
          dataSetOffset: offset,
          dataSetLength: Number(r.file_size) - offset,
          studyInstanceUid: String(r.StudyInstanceUID),
          seriesInstanceUid: String(r.SeriesInstanceUID),
        });
      }
    }
    return out;
  }

  /**
   * How many of the given instances are in the cache, or how many instances of a study arrived
   * at or after `since` (ms since the epoch): checks that a C-MOVE really delivered.
   */
  countArrivedFor(what: readonly string[] | { studyUid: string; since: number }): number {
    if (Array.isArray(what)) {
      let n = 0;
      for (const part of chunks([...new Set(what as readonly string[])])) {
        n += this.db
          .prepare(`SELECT count(*) FROM instance WHERE SOPInstanceUID IN (${part.map(() => '?').join(', ')})`)
          .pluck()
          .get(...part) as number;
      }
      return n;
    }
    const { studyUid, since } = what as { studyUid: string; since: number };
    return this.db
      .prepare(
        `SELECT count(*) FROM study s JOIN series se ON se.study_pk = s.id JOIN instance i ON i.series_pk = se.id
      WHERE s.StudyInstanceUID = ? AND i.received_at >= ?`,
      )
      .pluck()
      .get(studyUid, since) as number;
  }

  /** Totals of the cache. */
  stats(): CacheStats {
    const r = this.db
      .prepare(
        `SELECT count(*) AS patients, coalesce(sum(NumberOfPatientRelatedStudies), 0) AS studies,
      coalesce(sum(NumberOfPatientRelatedSeries), 0) AS series, coalesce(sum(NumberOfPatientRelatedInstances), 0) AS instances,
      coalesce(sum(size), 0) AS bytes FROM patient`,
      )
      .get() as Record<string, number>;
    return { patients: r.patients!, studies: r.studies!, series: r.series!, instances: r.instances!, bytes: r.bytes! };
  }
}

function toPatient(r: Row): PatientRecord {
  return {
    PatientID: String(r.PatientID),
    IssuerOfPatientID: String(r.IssuerOfPatientID),
    ...pick(r, PATIENT_KEYS),
    NumberOfPatientRelatedStudies: Number(r.NumberOfPatientRelatedStudies),
    NumberOfPatientRelatedSeries: Number(r.NumberOfPatientRelatedSeries),
    NumberOfPatientRelatedInstances: Number(r.NumberOfPatientRelatedInstances),
    size: Number(r.size),
  };
}

function toStudy(r: Row): StudyRecord {
  return {
    StudyInstanceUID: String(r.StudyInstanceUID),
    ...pick(r, STUDY_KEYS),
    PatientID: String(r.PatientID),
    IssuerOfPatientID: String(r.IssuerOfPatientID),
    ModalitiesInStudy: split(r.ModalitiesInStudy),
    SOPClassesInStudy: split(r.SOPClassesInStudy),
    NumberOfStudyRelatedSeries: Number(r.NumberOfStudyRelatedSeries),
    NumberOfStudyRelatedInstances: Number(r.NumberOfStudyRelatedInstances),
    size: Number(r.size),
    lastAccessedAt: Number(r.last_accessed_at),
    lastReceivedAt: Number(r.last_received_at),
  };
}
