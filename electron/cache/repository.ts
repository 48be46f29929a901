/**
 * The write side of the index: one instance in (patient → study → series → instance with their
 * aggregates, one transaction), studies, series and instances out.
 *
 * Policies (summarized in index.ts):
 * - Patients are keyed by (PatientID, IssuerOfPatientID), both '' when absent. Patient, study and
 *   series attributes are those of the last instance received that carries them: a value
 *   present in the new instance replaces the stored one, an absent one keeps it.
 * - A study belongs to one patient. When an instance arrives whose patient identity differs
 *   from the one its study is stored under (a patient merge or correction at the source, or an
 *   inconsistent source), the study moves to the identity received last, with its counts; the
 *   old patient is removed if left without studies, and the outcome reports `patientChanged`
 *   for the log. The same holds for a series arriving under another study.
 * - A duplicate SOP Instance UID replaces the stored instance: its row is updated (counts
 *   unchanged, sizes adjusted) and the caller has renamed the new file over the old one.
 */
import type { Statement } from 'better-sqlite3';
import type { InstanceIndexRecord, PatientFields } from '../../shared/records.js';
import type { Db } from './db.js';
import { Aggregates } from './aggregates.js';
import { foldCase, orNull, personNameForms } from './normalize.js';
import {
  INSTANCE_COLUMNS,
  PATIENT_ATTRIBUTES,
  PATIENT_COLUMNS,
  type Row,
  SERIES_ATTRIBUTES,
  SERIES_COLUMNS,
  STUDY_ATTRIBUTES,
  STUDY_COLUMNS,
  insertSql,
  merge,
  patientValues,
  seriesValues,
  studyValues,
  updateSql,
} from './row-values.js';
import { CacheError } from './errors.js';

/** What indexing one instance did. */
export interface IndexOutcome {
  duplicate: boolean;
  /** The stored file the new row replaced, when its path differs from the new one (to unlink). */
  previousFilePath?: string;
  patientChanged?: { from: { PatientID: string; IssuerOfPatientID: string }; to: { PatientID: string; IssuerOfPatientID: string } };
}

/** Index writes over one connection. Every public method is one transaction. */
export class Repository {
  private readonly s: Record<string, Statement>;
  readonly aggregates: Aggregates;
  private readonly indexTransaction: (record: InstanceIndexRecord) => IndexOutcome;

  constructor(private readonly db: Db) {
    this.aggregates = new Aggregates(db);
    this.indexTransaction = db.transaction((record: InstanceIndexRecord) => this.indexInTransaction(record));
    this.s = {
      selectPatient: db.prepare(`SELECT id, ${PATIENT_COLUMNS.join(', ')} FROM patient WHERE PatientID = ? AND IssuerOfPatientID = ?`),
      insertPatient: db.prepare(insertSql('patient', ['PatientID', 'IssuerOfPatientID', ...PATIENT_COLUMNS])),
      updatePatient: db.prepare(updateSql('patient', PATIENT_COLUMNS)),
      deleteForms: db.prepare('DELETE FROM patient_name_form WHERE patient_pk = ?'),
      insertForm: db.prepare('INSERT INTO patient_name_form (patient_pk, whole, form, form_upper) VALUES (?, ?, ?, ?)'),
      patientCounts: db.prepare(`UPDATE patient SET NumberOfPatientRelatedStudies = NumberOfPatientRelatedStudies + @studies,
        NumberOfPatientRelatedSeries = NumberOfPatientRelatedSeries + @series,
        NumberOfPatientRelatedInstances = NumberOfPatientRelatedInstances + @instances, size = size + @size WHERE id = @id`),
      patientKey: db.prepare('SELECT PatientID, IssuerOfPatientID FROM patient WHERE id = ?'),
      selectStudy: db.prepare(`SELECT id, patient_pk, SOPClassesInStudy, ${STUDY_COLUMNS.join(', ')} FROM study WHERE StudyInstanceUID = ?`),
      insertStudy: db.prepare(insertSql('study', ['patient_pk', 'StudyInstanceUID', 'last_received_at', 'last_accessed_at', ...STUDY_COLUMNS])),
      updateStudy: db.prepare(updateSql('study', STUDY_COLUMNS)),
      moveStudy: db.prepare('UPDATE study SET patient_pk = ? WHERE id = ?'),
      studyCounts: db.prepare(`UPDATE study SET NumberOfStudyRelatedSeries = NumberOfStudyRelatedSeries + @series,
        NumberOfStudyRelatedInstances = NumberOfStudyRelatedInstances + @instances, size = size + @size,
        last_received_at = max(last_received_at, @receivedAt), last_accessed_at = max(last_accessed_at, @receivedAt) WHERE id = @id`),
      studyClasses: db.prepare('UPDATE study SET SOPClassesInStudy = ? WHERE id = ?'),
      selectSeries: db.prepare(`SELECT id, study_pk, ${SERIES_COLUMNS.join(', ')} FROM series WHERE SeriesInstanceUID = ?`),
      insertSeries: db.prepare(insertSql('series', ['study_pk', 'SeriesInstanceUID', ...SERIES_COLUMNS])),
      updateSeries: db.prepare(updateSql('series', SERIES_COLUMNS)),
      moveSeries: db.prepare('UPDATE series SET study_pk = ? WHERE id = ?'),
      seriesCounts: db.prepare(`UPDATE series SET NumberOfSeriesRelatedInstances = NumberOfSeriesRelatedInstances + @instances,
        size = size + @size WHERE id = @id`),
      selectInstance: db.prepare(`SELECT i.id, i.series_pk, i.file_path, i.file_size, i.SOPClassUID, se.SeriesInstanceUID
        FROM instance i JOIN series se ON se.id = i.series_pk WHERE i.SOPInstanceUID = ?`),
      insertInstance: db.prepare(insertSql('instance', ['series_pk', 'SOPInstanceUID', ...INSTANCE_COLUMNS])),
      updateInstance: db.prepare(updateSql('instance', INSTANCE_COLUMNS)),
      deleteInstance: db.prepare('DELETE FROM instance WHERE id = ?'),
      seriesOfStudy: db.prepare('SELECT id FROM series WHERE study_pk = ?').pluck(),
      filesOfStudy: db.prepare('SELECT i.file_path FROM series se JOIN instance i ON i.series_pk = se.id WHERE se.study_pk = ?').pluck(),
      filesOfSeries: db.prepare('SELECT file_path FROM instance WHERE series_pk = ?').pluck(),
      deleteStudy: db.prepare('DELETE FROM study WHERE id = ?'),
      deleteSeries: db.prepare('DELETE FROM series WHERE id = ?'),
      touchStudy: db.prepare('UPDATE study SET last_accessed_at = ? WHERE StudyInstanceUID = ?'),
      touchInstances: db.prepare(`UPDATE instance SET last_accessed_at = ? WHERE series_pk IN
        (SELECT se.id FROM series se JOIN study s ON s.id = se.study_pk WHERE s.StudyInstanceUID = ?)`),
    };
  }

  /** Runs `fn` in one transaction (nested calls become savepoints): batches of inserts. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /**
   * Indexes one stored instance: inserts or updates its patient, study, series and instance
   * rows and their aggregates, in one transaction.
   * @throws CacheError EINVALID when a unique key (Study, Series or SOP Instance UID, SOP Class UID) is empty.
   */
  index(record: InstanceIndexRecord): IndexOutcome {
    for (const [what, v] of [
      ['Study Instance UID', record.study.StudyInstanceUID],
      ['Series Instance UID', record.series.SeriesInstanceUID],
      ['SOP Instance UID', record.instance.SOPInstanceUID],
      ['SOP Class UID', record.instance.SOPClassUID],
    ] as const) {
      if (!v) throw new CacheError('EINVALID', `The instance has no ${what}: it cannot be indexed`);
    }
    return this.indexTransaction(record);
  }

  private indexInTransaction(record: InstanceIndexRecord): IndexOutcome {
    const outcome: IndexOutcome = { duplicate: false };
    let existing = this.s.selectInstance!.get(record.instance.SOPInstanceUID) as Row | undefined;
    if (existing && existing.SeriesInstanceUID !== record.series.SeriesInstanceUID) {
      // The same instance under another series: remove the old row first, then index anew.
      outcome.duplicate = true;
      outcome.previousFilePath = existing.file_path as string;
      this.s.deleteInstance!.run(existing.id);
      this.aggregates.refresh({ series: [existing.series_pk as number] });
      existing = undefined;
    }
    const patientPk = this.upsertPatient(record.patient);
    const { pk: studyPk, classes: stored } = this.upsertStudy(record, patientPk, outcome);
    const seriesPk = this.upsertSeries(record, studyPk, patientPk);
    const classes = addValue(stored, record.instance.SOPClassUID);
    if (classes !== stored) this.s.studyClasses!.run(classes, studyPk);
    const values = {
      SOPClassUID: record.instance.SOPClassUID,
      InstanceNumber: orNull(record.instance.InstanceNumber),
      TransferSyntaxUID: record.transferSyntaxUid,
      file_path: record.filePath,
      file_size: record.fileSize,
      data_set_offset: record.dataSetOffset,
      received_at: record.receivedAt,
      source_ae_title: orNull(record.sourceAeTitle),
      last_accessed_at: record.receivedAt,
    };
    if (existing) {
      outcome.duplicate = true;
      if (existing.file_path !== record.filePath) outcome.previousFilePath = existing.file_path as string;
      this.s.updateInstance!.run({ ...values, id: existing.id });
      const delta = { instances: 0, size: record.fileSize - (existing.file_size as number) };
      this.s.seriesCounts!.run({ ...delta, id: seriesPk });
      this.s.studyCounts!.run({ ...delta, series: 0, receivedAt: record.receivedAt, id: studyPk });
      this.s.patientCounts!.run({ ...delta, studies: 0, series: 0, id: patientPk });
      if (existing.SOPClassUID !== record.instance.SOPClassUID) this.aggregates.refresh({ studies: [studyPk] });
    } else {
      this.s.insertInstance!.run({ ...values, series_pk: seriesPk, SOPInstanceUID: record.instance.SOPInstanceUID });
      const delta = { instances: 1, size: record.fileSize };
      this.s.seriesCounts!.run({ ...delta, id: seriesPk });
      this.s.studyCounts!.run({ ...delta, series: 0, receivedAt: record.receivedAt, id: studyPk });
      this.s.patientCounts!.run({ ...delta, studies: 0, series: 0, id: patientPk });
    }
    return outcome;
  }

  private upsertPatient(p: PatientFields): number {
    const key = [p.PatientID ?? '', p.IssuerOfPatientID ?? ''];
    const row = this.s.selectPatient!.get(...key) as Row | undefined;
    if (!row) {
      const pk = Number(this.s.insertPatient!.run({ PatientID: key[0], IssuerOfPatientID: key[1], ...patientValues(p) }).lastInsertRowid);
      this.writeForms(pk, p.PatientName);
      return pk;
    }
    const merged = merge(row, p, PATIENT_ATTRIBUTES);
    if (merged) {
      this.s.updatePatient!.run({ ...patientValues(merged), id: row.id });
      if ((merged.PatientName ?? null) !== row.PatientName) this.writeForms(row.id, merged.PatientName);
    }
    return row.id;
  }

  private writeForms(patientPk: number, name: string | null | undefined): void {
    this.s.deleteForms!.run(patientPk);
    for (const f of personNameForms(name ?? undefined)) this.s.insertForm!.run(patientPk, f.whole, f.form, foldCase(f.form));
  }

  /** The study's row id and its SOP Classes in Study. */
  private upsertStudy(record: InstanceIndexRecord, patientPk: number, outcome: IndexOutcome): { pk: number; classes: string | null } {
    const row = this.s.selectStudy!.get(record.study.StudyInstanceUID) as Row | undefined;
    if (!row) {
      const t = record.receivedAt;
      const pk = Number(
        this.s.insertStudy!.run({
          patient_pk: patientPk,
          StudyInstanceUID: record.study.StudyInstanceUID,
          last_received_at: t,
          last_accessed_at: t,
          ...studyValues(record.study),
        }).lastInsertRowid,
      );
      this.s.patientCounts!.run({ studies: 1, series: 0, instances: 0, size: 0, id: patientPk });
      return { pk, classes: null };
    }
    if (row.patient_pk !== patientPk) {
      // PS3.3 C.7.1.1 / C.7.2.1: a study has one patient. The identity received last wins.
      const from = this.s.patientKey!.get(row.patient_pk) as { PatientID: string; IssuerOfPatientID: string };
      const to = this.s.patientKey!.get(patientPk) as { PatientID: string; IssuerOfPatientID: string };
      outcome.patientChanged = { from, to };
      this.s.moveStudy!.run(patientPk, row.id);
      this.aggregates.refresh({ patients: [row.patient_pk as number, patientPk] });
    }
    const merged = merge(row, record.study, STUDY_ATTRIBUTES);
    if (merged) this.s.updateStudy!.run({ ...studyValues(merged), id: row.id });
    return { pk: row.id, classes: row.SOPClassesInStudy as string | null };
  }

  private upsertSeries(record: InstanceIndexRecord, studyPk: number, patientPk: number): number {
    const row = this.s.selectSeries!.get(record.series.SeriesInstanceUID) as Row | undefined;
    if (!row) {
      const pk = Number(
        this.s.insertSeries!.run({
          study_pk: studyPk,
          SeriesInstanceUID: record.series.SeriesInstanceUID,
          ...seriesValues(record.series),
        }).lastInsertRowid,
      );
      this.s.studyCounts!.run({ series: 1, instances: 0, size: 0, receivedAt: record.receivedAt, id: studyPk });
      this.s.patientCounts!.run({ studies: 0, series: 1, instances: 0, size: 0, id: patientPk });
      if (orNull(record.series.Modality) !== null) this.aggregates.modalities(studyPk);
      return pk;
    }
    if (row.study_pk !== studyPk) {
      this.s.moveSeries!.run(studyPk, row.id);
      this.aggregates.refresh({ studies: [row.study_pk as number, studyPk] });
    }
    const merged = merge(row, record.series, SERIES_ATTRIBUTES);
    if (merged) {
      this.s.updateSeries!.run({ ...seriesValues(merged), id: row.id });
      if ((merged.Modality ?? null) !== row.Modality) this.aggregates.modalities(studyPk);
    }
    return row.id;
  }

  /** Records that studies were used (retrieved, viewed, sent) at `at` (ms since the epoch). Returns how many were found. */
  touch(studyInstanceUids: readonly string[], at: number): number {
    return this.transaction(() => {
      let n = 0;
      for (const uid of new Set(studyInstanceUids)) {
        n += this.s.touchStudy!.run(at, uid).changes;
        this.s.touchInstances!.run(at, uid);
      }
      return n;
    });
  }

  /** Removes a study and everything under it. Returns the file paths to delete, or undefined when unknown. */
  deleteStudy(studyInstanceUid: string): string[] | undefined {
    return this.transaction(() => {
      const row = this.s.selectStudy!.get(studyInstanceUid) as Row | undefined;
      if (!row) return undefined;
      const files = this.s.filesOfStudy!.all(row.id) as string[];
      this.s.deleteStudy!.run(row.id);
      this.aggregates.refresh({ patients: [row.patient_pk as number] });
      return files;
    });
  }

  /** Removes a series and its instances. Returns the file paths to delete, or undefined when unknown. */
  deleteSeries(seriesInstanceUid: string): string[] | undefined {
    return this.transaction(() => {
      const row = this.s.selectSeries!.get(seriesInstanceUid) as Row | undefined;
      if (!row) return undefined;
      const files = this.s.filesOfSeries!.all(row.id) as string[];
      this.s.deleteSeries!.run(row.id);
      this.aggregates.refresh({ studies: [row.study_pk as number] });
      return files;
    });
  }

  /** Removes one instance's row. Returns its file path, or undefined when unknown. */
  deleteInstance(sopInstanceUid: string): string | undefined {
    return this.transaction(() => {
      const row = this.s.selectInstance!.get(sopInstanceUid) as Row | undefined;
      if (!row) return undefined;
      this.s.deleteInstance!.run(row.id);
      this.aggregates.refresh({ series: [row.series_pk as number] });
      return row.file_path as string;
    });
  }

  /** Removes many instance rows by row id, then rebuilds every aggregate once (recovery). */
  deleteInstanceRows(ids: readonly number[]): void {
    if (ids.length === 0) return;
    this.transaction(() => {
      for (const id of ids) this.s.deleteInstance!.run(id);
    });
    this.aggregates.rebuildAll();
  }
}

/** Adds a value to a sorted backslash-separated set (SOP Classes in Study). */
function addValue(set: string | null, value: string): string {
  const values = set ? set.split('\\') : [];
  if (values.includes(value)) return set as string;
  return [...values, value].sort().join('\\');
}
