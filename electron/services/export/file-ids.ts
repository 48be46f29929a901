/**
 * File IDs of a General Purpose CD-R / DVD / USB medium (PS3.10 §8.2, PS3.11 D.3.2 for
 * STD-GEN-CD): at most 8 components, each of 1 to 8 characters from A–Z, 0–9 and _, no
 * extension. Files go to DICOM/PATnnnnn/STUnnnnn/SERnnnnn/IMGnnnnn, numbered in the order they
 * are written; a prefix gives way to digits past 99,999 (IMG99999, IM100000, I1000000...).
 */

/** The characters a File ID component may hold (PS3.10 §8.2). */
export const FILE_ID_COMPONENT = /^[A-Z0-9_]{1,8}$/;

/** One component: the prefix (shortened as needed) and the number, 8 characters at most. */
export function fileIdComponent(prefix: string, n: number): string {
  const digits = String(n).padStart(5, '0');
  if (digits.length > 8) throw new Error(`File ID numbers end at 99999999 (asked for ${n})`);
  return `${prefix.slice(0, 8 - digits.length)}${digits}`;
}

/** The numbers of a file's patient, study and series on a medium (from 1 within the parent), and its own in its series. */
export interface MediaNumbers {
  patient: number;
  study: number;
  series: number;
  file: number;
}

/** Hands out File IDs by patient, study and series, each level numbered from 1 within its parent. */
export class FileIdAllocator {
  private readonly patients = new Map<
    string,
    { n: number; id: string; studies: Map<string, { n: number; id: string; series: Map<string, { n: number; id: string; files: number }> }> }
  >();

  /**
   * The File ID of the next file of this series, as its components, and the numbers of its
   * patient, study, series (each within its parent) and of the file in its series.
   */
  next(patientKey: string, studyKey: string, seriesKey: string): { path: string[]; numbers: MediaNumbers } {
    let patient = this.patients.get(patientKey);
    if (!patient)
      this.patients.set(patientKey, (patient = { n: this.patients.size + 1, id: fileIdComponent('PAT', this.patients.size + 1), studies: new Map() }));
    let study = patient.studies.get(studyKey);
    if (!study)
      patient.studies.set(studyKey, (study = { n: patient.studies.size + 1, id: fileIdComponent('STU', patient.studies.size + 1), series: new Map() }));
    let series = study.series.get(seriesKey);
    if (!series) study.series.set(seriesKey, (series = { n: study.series.size + 1, id: fileIdComponent('SER', study.series.size + 1), files: 0 }));
    series.files++;
    return {
      path: ['DICOM', patient.id, study.id, series.id, fileIdComponent('IMG', series.files)],
      numbers: { patient: patient.n, study: study.n, series: series.n, file: series.files },
    };
  }

  /** Takes back the last File ID of this series (its file was left out), so the numbers stay dense. */
  undo(patientKey: string, studyKey: string, seriesKey: string): void {
    const series = this.patients.get(patientKey)?.studies.get(studyKey)?.series.get(seriesKey);
    if (series && series.files > 0) series.files--;
  }
}

/** A folder name from a value that may hold anything (a Patient ID): what a file system takes everywhere. */
export function safeFolderName(value: string, fallback: string): string {
  const s = value
    .trim()
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._]+/, '')
    .slice(0, 64);
  return s === '' ? fallback : s;
}
