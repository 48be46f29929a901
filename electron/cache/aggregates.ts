/**
 * Keeping the derived attributes of the index right after rows move or disappear: Number of
 * Series/Study/Patient Related ..., Modalities in Study, SOP Classes in Study and sizes
 * (PS3.4 C.6.1.1.3-C.6.1.1.5 lets C-FIND return them; they are stored so that it need not
 * aggregate). The insert path of repository.ts updates them incrementally; removals and moves,
 * which are rare, recompute the entities they touch from their children, bottom up, and prune
 * the ones left empty (a series without instances, a study without series, a patient without
 * studies is not kept).
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from './db.js';

const SERIES_COUNTS = `
  NumberOfSeriesRelatedInstances = (SELECT count(*) FROM instance WHERE series_pk = series.id),
  size = (SELECT coalesce(sum(file_size), 0) FROM instance WHERE series_pk = series.id)`;

/** Modalities in Study (0008,0061) of a study, from its series, sorted, backslash-separated. */
export const MODALITIES_IN_STUDY = `(SELECT group_concat(m, '\\' ORDER BY m) FROM
  (SELECT DISTINCT Modality AS m FROM series WHERE study_pk = study.id AND Modality IS NOT NULL))`;

const STUDY_COUNTS = `
  NumberOfStudyRelatedSeries = (SELECT count(*) FROM series WHERE study_pk = study.id),
  NumberOfStudyRelatedInstances = (SELECT coalesce(sum(NumberOfSeriesRelatedInstances), 0) FROM series WHERE study_pk = study.id),
  size = (SELECT coalesce(sum(size), 0) FROM series WHERE study_pk = study.id),
  ModalitiesInStudy = ${MODALITIES_IN_STUDY},
  SOPClassesInStudy = (SELECT group_concat(c, '\\' ORDER BY c) FROM
    (SELECT DISTINCT i.SOPClassUID AS c FROM series se JOIN instance i ON i.series_pk = se.id WHERE se.study_pk = study.id))`;

const PATIENT_COUNTS = `
  NumberOfPatientRelatedStudies = (SELECT count(*) FROM study WHERE patient_pk = patient.id),
  NumberOfPatientRelatedSeries = (SELECT coalesce(sum(NumberOfStudyRelatedSeries), 0) FROM study WHERE patient_pk = patient.id),
  NumberOfPatientRelatedInstances = (SELECT coalesce(sum(NumberOfStudyRelatedInstances), 0) FROM study WHERE patient_pk = patient.id),
  size = (SELECT coalesce(sum(size), 0) FROM study WHERE patient_pk = patient.id)`;

/** Recomputation of aggregates over one connection (statements prepared once). */
export class Aggregates {
  private readonly s: Record<string, Statement>;

  constructor(private readonly db: Db) {
    this.s = {
      series: db.prepare(`UPDATE series SET ${SERIES_COUNTS} WHERE id = ?`),
      study: db.prepare(`UPDATE study SET ${STUDY_COUNTS} WHERE id = ?`),
      patient: db.prepare(`UPDATE patient SET ${PATIENT_COUNTS} WHERE id = ?`),
      modalities: db.prepare(`UPDATE study SET ModalitiesInStudy = ${MODALITIES_IN_STUDY} WHERE id = ?`),
      pruneSeries: db.prepare('DELETE FROM series WHERE id = ? AND NOT EXISTS (SELECT 1 FROM instance WHERE series_pk = ?)'),
      pruneStudy: db.prepare('DELETE FROM study WHERE id = ? AND NOT EXISTS (SELECT 1 FROM series WHERE study_pk = ?)'),
      prunePatient: db.prepare('DELETE FROM patient WHERE id = ? AND NOT EXISTS (SELECT 1 FROM study WHERE patient_pk = ?)'),
      studyOfSeries: db.prepare('SELECT study_pk FROM series WHERE id = ?').pluck(),
      patientOfStudy: db.prepare('SELECT patient_pk FROM study WHERE id = ?').pluck(),
    };
  }

  /** Recomputes Modalities in Study of one study (after a series was added or changed modality). */
  modalities(studyPk: number): void {
    this.s.modalities!.run(studyPk);
  }

  /**
   * After instances, series or studies were removed from or moved out of the given entities:
   * recomputes them bottom up and deletes those left empty. Pass every entity that lost or
   * gained children; their parents are found and refreshed too.
   */
  refresh(touched: { series?: Iterable<number>; studies?: Iterable<number>; patients?: Iterable<number> }): void {
    const studies = new Set(touched.studies ?? []);
    const patients = new Set(touched.patients ?? []);
    for (const pk of new Set(touched.series ?? [])) {
      const studyPk = this.s.studyOfSeries!.get(pk) as number | undefined;
      if (studyPk === undefined) continue;
      studies.add(studyPk);
      this.s.series!.run(pk);
      this.s.pruneSeries!.run(pk, pk);
    }
    for (const pk of studies) {
      const patientPk = this.s.patientOfStudy!.get(pk) as number | undefined;
      if (patientPk === undefined) continue;
      patients.add(patientPk);
      this.s.study!.run(pk);
      this.s.pruneStudy!.run(pk, pk);
    }
    for (const pk of patients) {
      this.s.patient!.run(pk);
      this.s.prunePatient!.run(pk, pk);
    }
  }

  /** Recomputes every aggregate of the index and prunes empty entities (recovery after a crash). */
  rebuildAll(): void {
    this.db.transaction(() => {
      this.db.exec(`UPDATE series SET ${SERIES_COUNTS}`);
      this.db.exec('DELETE FROM series WHERE NOT EXISTS (SELECT 1 FROM instance WHERE series_pk = series.id)');
      this.db.exec(`UPDATE study SET ${STUDY_COUNTS}`);
      this.db.exec('DELETE FROM study WHERE NOT EXISTS (SELECT 1 FROM series WHERE study_pk = study.id)');
      this.db.exec(`UPDATE patient SET ${PATIENT_COUNTS}`);
      this.db.exec('DELETE FROM patient WHERE NOT EXISTS (SELECT 1 FROM study WHERE patient_pk = patient.id)');
    })();
  }
}
