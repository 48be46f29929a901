/**
 * Export of studies from the cache to a folder, a CD/USB medium with a DICOMDIR (PS3.11
 * STD-GEN-CD) or a ZIP, identified or de-identified (PS3.15 E.1): the request and the result
 * both sides share, and the result's sentence. Pure code: no Node, no DOM.
 */

/** The de-identification asked for: the Basic Application Level Confidentiality Profile and its options. */
export interface DeidentifyRequest {
  /** Becomes Patient's Name and Patient ID; one is generated (and reported) when absent. */
  pseudonym?: string;
  /** Retain Longitudinal Temporal Information with Full Dates Option (PS3.15 E.3.6). */
  retainDates?: boolean;
  /** Clean Descriptors Option (PS3.15 E.3.5). */
  cleanDescriptors?: boolean;
  /**
   * Include the instances whose pixels may hold burned-in text (Burned In Annotation YES, or
   * absent in ultrasound, secondary capture, photography): the profile does not clean pixels, so
   * they are left out unless this is set, and the result counts those included.
   */
  allowBurnedIn?: boolean;
}

/** What to export and how. */
export interface ExportRequest {
  /** Study Instance UIDs of cached studies. */
  studies: string[];
  /**
   * A new or empty folder; with `zip`, the ZIP file itself when it ends in .zip, else the folder
   * the ZIP is written into (as priors-export-<date>-<time>.zip). A leading ~ is the user's home.
   */
  out: string;
  /** A General Purpose CD-R / USB medium: DICOMDIR at the root, files in Explicit VR Little Endian. */
  dicomdir?: boolean;
  zip?: boolean;
  deidentify?: DeidentifyRequest;
}

/** One instance not exported, with why. */
export interface LeftOut {
  SOPInstanceUID: string;
  StudyInstanceUID: string;
  /** What the instance is, for the sentence: e.g. "Ultrasound Image Storage instance 3 of series 2". */
  what: string;
  reason: string;
  /** Left out for burned-in text only (allowing burned-in annotation would include it). */
  burnedIn?: boolean;
}

/** One exported study. */
export interface ExportedStudy {
  StudyInstanceUID: string;
  PatientID?: string;
  PatientName?: string;
  instances: number;
  /** De-identified: the pseudonym its patient was exported as, and its new Study Instance UID. */
  pseudonym?: string;
  exportedStudyInstanceUID?: string;
}

/** What an export wrote. */
export interface ExportResult {
  /** The folder or the ZIP file (absolute). */
  location: string;
  kind: 'folder' | 'zip';
  dicomdir: boolean;
  /** Instances written. */
  instances: number;
  /** Bytes written (the files, DICOMDIR included; the ZIP's own size when zipped). */
  bytes: number;
  studies: ExportedStudy[];
  leftOut: LeftOut[];
  /**
   * Set when de-identified: the options applied, whether the pseudonyms were generated, and how
   * many instances that may show burned-in text were included (allowed) — 0 when not allowed.
   */
  deidentified?: { retainDates: boolean; cleanDescriptors: boolean; generatedPseudonym: boolean; allowBurnedIn: boolean; burnedInIncluded: number };
  elapsedMs: number;
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/**
 * The result in one paragraph: where it was written, how many instances of how many studies,
 * the pseudonyms, and what was left out and why (the first three reasons).
 */
export function exportResultSentence(r: ExportResult): string {
  const what = `${plural(r.instances, 'instance')} of ${plural(r.studies.filter((s) => s.instances > 0).length, 'study', 'studies')}`;
  const form = [r.dicomdir ? 'with a DICOMDIR' : '', r.kind === 'zip' ? 'as a ZIP' : '', r.deidentified ? 'de-identified' : ''].filter(Boolean).join(', ');
  const head = r.instances === 0 ? `Nothing was exported to ${r.location}.` : `Exported ${what} to ${r.location}${form ? ` (${form})` : ''}.`;
  const names = [...new Set(r.studies.filter((s) => s.pseudonym).map((s) => s.pseudonym!))];
  const as =
    r.deidentified && names.length
      ? ` The patient${names.length > 1 ? 's are' : ' is'} named ${names.join(', ')}${r.deidentified.generatedPseudonym ? ' (generated)' : ''}.`
      : '';
  const burned = r.deidentified?.burnedInIncluded
    ? ` ${plural(r.deidentified.burnedInIncluded, 'instance that may show', 'instances that may show')} burned-in text ${r.deidentified.burnedInIncluded === 1 ? 'was' : 'were'} included as asked: check their pixels before handing them over.`
    : '';
  if (r.leftOut.length === 0) return `${head}${as}${burned}`;
  // the same reason once, with its count: a study of 300 ultrasound frames is one line, not 300
  const byReason = new Map<string, LeftOut[]>();
  for (const l of r.leftOut) byReason.set(l.reason, [...(byReason.get(l.reason) ?? []), l]);
  const groups = [...byReason.values()];
  const shown = groups
    .slice(0, 3)
    .map((g) => (g.length === 1 ? `${g[0]!.what} (${g[0]!.reason})` : `${g.length} because ${g[0]!.reason}`))
    .join('; ');
  const more = groups.length > 3 ? `; and ${groups.slice(3).reduce((n, g) => n + g.length, 0)} more` : '';
  const allow = r.leftOut.some((l) => l.burnedIn) ? ' Allow burned-in annotation to include the instances left out for burned-in text.' : '';
  return `${head}${as}${burned} ${plural(r.leftOut.length, 'instance was', 'instances were')} left out: ${shown}${more}.${allow}`;
}

/** The name of a ZIP written into a folder: priors-export-YYYYMMDD-HHMMSS.zip (local time). */
export function zipFileName(at: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `priors-export-${at.getFullYear()}${p(at.getMonth() + 1)}${p(at.getDate())}-${p(at.getHours())}${p(at.getMinutes())}${p(at.getSeconds())}.zip`;
}
