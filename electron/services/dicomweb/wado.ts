/**
 * Instances of the local cache by UID, for the viewer's image loaders: WADO-URI and a WADO-RS
 * over HTTP (electron/web/dicomweb.ts) and the desktop app's custom protocol
 * (electron/shell/protocol.ts) both resolve UIDs here, so both serve the same bytes.
 * UIDs are validated (PS3.5 9.1) before the index or the file system is touched.
 */
import { readFile } from 'node:fs/promises';
import type { Cache } from '../../cache/index.js';

/** Why an instance could not be served: HTTP status and a sentence. */
export interface WadoFailure {
  ok: false;
  status: 400 | 404 | 500;
  message: string;
}

/** A located instance: the stored Part-10 file. */
export interface WadoInstance {
  ok: true;
  path: string;
  transferSyntaxUid: string;
  sopClassUid: string;
  sopInstanceUid: string;
  /** Where the data set starts in the file: 0 for a data set stored without file meta information. */
  dataSetOffset: number;
}

// PS3.5 9.1 — UID: components of digits separated by '.', no leading zero in a
// multi-digit component, at most 64 characters.
const UID = /^(0|[1-9]\d*)(\.(0|[1-9]\d*))+$/;

/** Whether `value` is a syntactically valid UID (PS3.5 9.1). */
export function isUid(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 64 && UID.test(value);
}

/** The UIDs naming one instance (any may be missing in a request: validated here). */
export interface InstanceUids {
  StudyInstanceUID?: string | null;
  SeriesInstanceUID?: string | null;
  SOPInstanceUID?: string | null;
}

function bad(what: string, value: string | null | undefined): WadoFailure {
  return value === undefined || value === null || value === ''
    ? { ok: false, status: 400, message: `The request lacks the ${what}.` }
    : { ok: false, status: 400, message: `The ${what} "${value.slice(0, 80)}" is not a valid UID (PS3.5 9.1: digits and dots, at most 64 characters).` };
}

function located(r: { path: string; transferSyntaxUid: string; sopClassUid: string; sopInstanceUid: string; dataSetOffset: number }): WadoInstance {
  return {
    ok: true,
    path: r.path,
    transferSyntaxUid: r.transferSyntaxUid,
    sopClassUid: r.sopClassUid,
    sopInstanceUid: r.sopInstanceUid,
    dataSetOffset: r.dataSetOffset,
  };
}

/** Resolves UIDs to stored files of the cache. */
export class WadoService {
  constructor(private readonly cache: Cache) {}

  /** The stored file of an instance, checking that it belongs to the named study and series. */
  locate(uids: InstanceUids): WadoInstance | WadoFailure {
    const { StudyInstanceUID: study, SeriesInstanceUID: series, SOPInstanceUID: sop } = uids;
    if (!isUid(study)) return bad('Study Instance UID', study);
    if (!isUid(series)) return bad('Series Instance UID', series);
    if (!isUid(sop)) return bad('SOP Instance UID', sop);
    const row = this.cache.instancesFor('IMAGE', [sop])[0];
    if (!row || row.studyInstanceUid !== study || row.seriesInstanceUid !== series) {
      return { ok: false, status: 404, message: `The instance ${sop} of series ${series} of study ${study} is not in the local cache.` };
    }
    return located(row);
  }

  /** The instances of a series (in the cache's order), or a failure. */
  seriesInstances(study: string | null | undefined, series: string | null | undefined): WadoInstance[] | WadoFailure {
    if (!isUid(study)) return bad('Study Instance UID', study);
    if (!isUid(series)) return bad('Series Instance UID', series);
    const rows = this.cache.instancesFor('SERIES', [series]).filter((r) => r.studyInstanceUid === study);
    if (rows.length === 0) return { ok: false, status: 404, message: `The series ${series} of study ${study} is not in the local cache.` };
    return rows.map(located);
  }

  /** The instances of a study (in the cache's order), or a failure; the study's access time is touched. */
  studyInstances(study: string | null | undefined): WadoInstance[] | WadoFailure {
    if (!isUid(study)) return bad('Study Instance UID', study);
    const rows = this.cache.instancesFor('STUDY', [study]);
    if (rows.length === 0) return { ok: false, status: 404, message: `The study ${study} is not in the local cache.` };
    this.cache.touch([study]);
    return rows.map(located);
  }

  /** The Part-10 bytes of an instance (file meta included), or a failure. */
  async read(uids: InstanceUids): Promise<{ ok: true; bytes: Buffer; instance: WadoInstance } | WadoFailure> {
    const found = this.locate(uids);
    if (!found.ok) return found;
    const got = await this.readPath(found.path);
    return got.ok ? { ...got, instance: found } : got;
  }

  /** The bytes of a file this service located (a path from {@link locate} or {@link seriesInstances}). */
  async readPath(path: string): Promise<{ ok: true; bytes: Buffer } | WadoFailure> {
    try {
      return { ok: true, bytes: await readFile(path) };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return { ok: false, status: 404, message: 'A file of the local cache is missing from its folder (run a cache check).' };
      return { ok: false, status: 500, message: `A file of the local cache could not be read (${code ?? 'error'}).` };
    }
  }
}
