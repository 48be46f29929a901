/**
 * The Export dialog's form on the Local cache screen, as pure data: the studies ticked, where to,
 * folder or ZIP, DICOMDIR, and de-identification with its pseudonym and options; what it asks
 * `cache.export` for, or the sentence that says what to fix first; and the progress line.
 */
import type { ExportRequest } from '../../../../shared/export.js';

/** What the dialog holds. */
export interface ExportForm {
  /** Study Instance UIDs ticked. */
  studies: string[];
  out: string;
  zip: boolean;
  dicomdir: boolean;
  deidentify: boolean;
  /** Empty: one is generated (and shown in the result). */
  pseudonym: string;
  retainDates: boolean;
  cleanDescriptors: boolean;
  allowBurnedIn: boolean;
}

/** A new form for these studies: all ticked, a CD/USB medium (DICOMDIR) in a folder, identified. */
export function newExportForm(studies: readonly string[]): ExportForm {
  return {
    studies: [...studies],
    out: '',
    zip: false,
    dicomdir: true,
    deidentify: false,
    pseudonym: '',
    retainDates: false,
    cleanDescriptors: false,
    allowBurnedIn: false,
  };
}

/** The request the form makes, or the sentence saying what is missing. */
export function exportRequestOf(f: ExportForm): { request: ExportRequest } | { problem: string } {
  if (f.studies.length === 0) return { problem: 'Tick at least one study to export.' };
  const out = f.out.trim();
  if (!out) return { problem: f.zip ? 'Give the ZIP file (ending in .zip) or the folder to write it into.' : 'Give a new or empty folder to export into.' };
  const pseudonym = f.pseudonym.trim();
  if (f.deidentify && pseudonym && !/^[\x20-\x7e]+$/.test(pseudonym)) return { problem: 'The pseudonym may hold printable ASCII characters only.' };
  return {
    request: {
      studies: [...f.studies],
      out,
      ...(f.dicomdir ? { dicomdir: true } : {}),
      ...(f.zip ? { zip: true } : {}),
      ...(f.deidentify
        ? {
            deidentify: {
              ...(pseudonym ? { pseudonym } : {}),
              ...(f.retainDates ? { retainDates: true } : {}),
              ...(f.cleanDescriptors ? { cleanDescriptors: true } : {}),
              ...(f.allowBurnedIn ? { allowBurnedIn: true } : {}),
            },
          }
        : {}),
    },
  };
}

/** "Exporting… 40 / 120 (2 left out)". */
export function exportProgressLine(p: { done: number; total: number; leftOut: number }): string {
  return `Exporting… ${p.done} / ${p.total}${p.leftOut ? ` (${p.leftOut} left out)` : ''}`;
}
