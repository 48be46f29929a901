// Data for the query benchmark: the synthetic cache of electron/cache/synthetic.ts written
// once as small Part-10 files (no pixel data; every attribute the Q/R levels match on), so
// the same patients, studies, series and instances can be loaded into Priors, Orthanc and
// dcmqrscp. Files are cached under /tmp/priors-testdata/bench-query-<sizes>/ between runs.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DataSet, setString } from '../shared/dicom/dataset.js';
import { EXPLICIT_LITTLE_ENDIAN, encodeDataSet } from '../shared/dicom/codec.js';
import { tagOf, vrOf } from '../shared/dicom/dictionary.js';
import type { InstanceIndexRecord } from '../shared/records.js';
import { buildFileMetaInformation } from '../electron/cache/file-meta.js';
import { syntheticRecords, type SyntheticSizes } from '../electron/cache/synthetic.js';
import { cacheRoot } from '../test/helpers/data.js';

/** One instance as a Part-10 file in Explicit VR Little Endian. */
export function instanceFile(r: InstanceIndexRecord): Uint8Array {
  const ds: DataSet = new Map();
  const put = (keyword: string, value: string | undefined) => {
    if (value !== undefined && value !== '') setString(ds, tagOf(keyword), vrOf(tagOf(keyword)), value);
  };
  put('SpecificCharacterSet', 'ISO_IR 192');
  put('SOPClassUID', r.instance.SOPClassUID);
  put('SOPInstanceUID', r.instance.SOPInstanceUID);
  put('StudyDate', r.study.StudyDate);
  put('SeriesDate', r.series.SeriesDate);
  put('StudyTime', r.study.StudyTime);
  put('AccessionNumber', r.study.AccessionNumber);
  put('Modality', r.series.Modality);
  put('ReferringPhysicianName', r.study.ReferringPhysicianName);
  put('StudyDescription', r.study.StudyDescription);
  put('SeriesDescription', r.series.SeriesDescription);
  put('PatientName', r.patient.PatientName);
  put('PatientID', r.patient.PatientID);
  put('IssuerOfPatientID', r.patient.IssuerOfPatientID);
  put('PatientBirthDate', r.patient.PatientBirthDate);
  put('PatientSex', r.patient.PatientSex);
  put('BodyPartExamined', r.series.BodyPartExamined);
  put('StudyInstanceUID', r.study.StudyInstanceUID);
  put('SeriesInstanceUID', r.series.SeriesInstanceUID);
  put('StudyID', r.study.StudyID);
  put('SeriesNumber', r.series.SeriesNumber);
  put('InstanceNumber', r.instance.InstanceNumber);
  const meta = buildFileMetaInformation({
    sopClassUid: r.instance.SOPClassUID,
    sopInstanceUid: r.instance.SOPInstanceUID,
    transferSyntaxUid: EXPLICIT_LITTLE_ENDIAN_UID,
  });
  const body = encodeDataSet(ds, EXPLICIT_LITTLE_ENDIAN);
  const out = new Uint8Array(meta.length + body.length);
  out.set(meta, 0);
  out.set(body, meta.length);
  return out;
}

const EXPLICIT_LITTLE_ENDIAN_UID = '1.2.840.10008.1.2.1';

/** The generated files of a synthetic cache, one directory per study. */
export interface QueryDataSet {
  dir: string;
  sizes: SyntheticSizes;
  /** Every file, in study order. */
  files: string[];
  /** Files grouped by StudyInstanceUID, in study order. */
  studies: { uid: string; files: string[] }[];
  records: InstanceIndexRecord[];
}

/** Writes (or reuses) the Part-10 files of `syntheticRecords(sizes)`. */
export function queryDataSet(sizes: SyntheticSizes): QueryDataSet {
  const name = `bench-query-${sizes.patients}p-${sizes.studies}s-${sizes.instances}i-${sizes.seed ?? 1}`;
  const dir = join(cacheRoot(), name);
  const records = [...syntheticRecords(sizes)];
  const studies = new Map<string, string[]>();
  for (const r of records) {
    const list = studies.get(r.study.StudyInstanceUID) ?? [];
    list.push(join(dir, r.study.StudyInstanceUID, `${r.instance.SOPInstanceUID}.dcm`));
    studies.set(r.study.StudyInstanceUID, list);
  }
  if (!existsSync(join(dir, '.complete'))) {
    const partial = `${dir}.partial`;
    rmSync(partial, { recursive: true, force: true });
    for (const r of records) {
      const studyDir = join(partial, r.study.StudyInstanceUID);
      mkdirSync(studyDir, { recursive: true });
      writeFileSync(join(studyDir, `${r.instance.SOPInstanceUID}.dcm`), instanceFile(r));
    }
    writeFileSync(join(partial, '.complete'), `${records.length}\n`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(partial, dir);
  }
  const byStudy = [...studies].map(([uid, files]) => ({ uid, files }));
  return { dir, sizes, files: byStudy.flatMap((s) => s.files), studies: byStudy, records };
}

/** Study directories of a generated set (for tools that take folders). */
export function studyDirs(data: QueryDataSet): string[] {
  return readdirSync(data.dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => join(data.dir, e.name));
}
