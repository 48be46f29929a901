/**
 * Migration 001: the first schema of the cache index. Append-only: a released migration is
 * never edited; changes go into a new numbered file (002-..., registered in ../migrations.ts).
 *
 * Columns named after DICOM attributes carry the PS3.6 keyword; the cache's own bookkeeping is
 * snake_case. Absent or empty DICOM values are NULL, except Patient ID and Issuer of Patient ID,
 * which are '' when absent because together they are the patient's key (a UNIQUE constraint
 * would treat NULLs as distinct).
 *
 * Derived columns (computed in electron/cache/normalize.ts when a row is written):
 * - <DA keyword>N: the date as YYYYMMDD, NULL when the stored value is not a valid DA;
 * - <TM keyword>Low / High: the period a TM value names, as HHMMSS.FFFFFF (PS3.4 C.2.2.2.5);
 * - patient_name_form: each form a Patient's Name can match by (the whole value and each
 *   component group, PS3.5 §6.2.1), as written and upper-cased, so that PN single value and
 *   wild card matching run on an index, case-sensitive or not.
 *
 * Aggregates (Number of ... Related ..., Modalities/SOP Classes in Study, sizes) are kept up to
 * date by electron/cache/repository.ts in the same transaction as the change (PS3.4 C.6.1.1.x
 * lets C-FIND return them without aggregating at query time).
 */
export const sql = `
CREATE TABLE patient (
  id INTEGER PRIMARY KEY,
  PatientID TEXT NOT NULL,
  IssuerOfPatientID TEXT NOT NULL DEFAULT '',
  PatientName TEXT,
  PatientNameUpper TEXT,
  PatientBirthDate TEXT,
  PatientBirthDateN TEXT,
  PatientBirthTime TEXT,
  PatientBirthTimeLow TEXT,
  PatientBirthTimeHigh TEXT,
  PatientSex TEXT,
  NumberOfPatientRelatedStudies INTEGER NOT NULL DEFAULT 0,
  NumberOfPatientRelatedSeries INTEGER NOT NULL DEFAULT 0,
  NumberOfPatientRelatedInstances INTEGER NOT NULL DEFAULT 0,
  size INTEGER NOT NULL DEFAULT 0,
  UNIQUE (PatientID, IssuerOfPatientID)
);
CREATE INDEX patient_birth_date ON patient (PatientBirthDateN);

CREATE TABLE patient_name_form (
  patient_pk INTEGER NOT NULL REFERENCES patient (id) ON DELETE CASCADE,
  whole INTEGER NOT NULL,
  form TEXT NOT NULL,
  form_upper TEXT NOT NULL
);
CREATE INDEX patient_name_form_patient ON patient_name_form (patient_pk);
CREATE INDEX patient_name_form_form ON patient_name_form (form);
CREATE INDEX patient_name_form_upper ON patient_name_form (form_upper);

CREATE TABLE study (
  id INTEGER PRIMARY KEY,
  patient_pk INTEGER NOT NULL REFERENCES patient (id) ON DELETE CASCADE,
  StudyInstanceUID TEXT NOT NULL UNIQUE,
  StudyDate TEXT,
  StudyDateN TEXT,
  StudyTime TEXT,
  StudyTimeLow TEXT,
  StudyTimeHigh TEXT,
  AccessionNumber TEXT,
  StudyID TEXT,
  ReferringPhysicianName TEXT,
  StudyDescription TEXT,
  ModalitiesInStudy TEXT,
  SOPClassesInStudy TEXT,
  NumberOfStudyRelatedSeries INTEGER NOT NULL DEFAULT 0,
  NumberOfStudyRelatedInstances INTEGER NOT NULL DEFAULT 0,
  size INTEGER NOT NULL DEFAULT 0,
  last_received_at INTEGER NOT NULL,
  last_accessed_at INTEGER NOT NULL
);
CREATE INDEX study_patient ON study (patient_pk);
CREATE INDEX study_date ON study (StudyDateN);
CREATE INDEX study_accession ON study (AccessionNumber);
CREATE INDEX study_last_accessed ON study (last_accessed_at);

CREATE TABLE series (
  id INTEGER PRIMARY KEY,
  study_pk INTEGER NOT NULL REFERENCES study (id) ON DELETE CASCADE,
  SeriesInstanceUID TEXT NOT NULL UNIQUE,
  Modality TEXT,
  SeriesNumber TEXT,
  SeriesDescription TEXT,
  BodyPartExamined TEXT,
  SeriesDate TEXT,
  SeriesDateN TEXT,
  SeriesTime TEXT,
  SeriesTimeLow TEXT,
  SeriesTimeHigh TEXT,
  NumberOfSeriesRelatedInstances INTEGER NOT NULL DEFAULT 0,
  size INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX series_study ON series (study_pk);
CREATE INDEX series_modality ON series (Modality, study_pk);

CREATE TABLE instance (
  id INTEGER PRIMARY KEY,
  series_pk INTEGER NOT NULL REFERENCES series (id) ON DELETE CASCADE,
  SOPInstanceUID TEXT NOT NULL UNIQUE,
  SOPClassUID TEXT NOT NULL,
  InstanceNumber TEXT,
  TransferSyntaxUID TEXT NOT NULL,
  file_path TEXT NOT NULL UNIQUE,
  file_size INTEGER NOT NULL,
  data_set_offset INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  source_ae_title TEXT,
  last_accessed_at INTEGER NOT NULL
);
CREATE INDEX instance_series ON instance (series_pk);
`;
