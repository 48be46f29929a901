/**
 * Deterministic synthetic index records, for the scale tests and benchmarks of the cache (a
 * 100,000-instance index is built through Repository.index without writing any file).
 */
import type { InstanceIndexRecord } from '../../shared/records.js';
import { prng } from '../../shared/prng.js';

/** Sizes of a synthetic cache. */
export interface SyntheticSizes {
  patients: number;
  studies: number;
  instances: number;
  /** Series per study (default 3). */
  seriesPerStudy?: number;
  /** PRNG seed (default 1). */
  seed?: number;
}

const FAMILY = [
  'SMITH',
  'JONES',
  'MÜLLER',
  'GARCIA',
  'MARTIN',
  'ROSSI',
  'NGUYEN',
  'KOWALSKI',
  'DUBOIS',
  'SATO',
  'OKAFOR',
  'SILVA',
  'JOHANSSON',
  'NOVAK',
  'PETROV',
  'HANSEN',
  'FISCHER',
  'LEE',
  'KIM',
  'PATEL',
];
const GIVEN = ['ANNA', 'JOHN', 'MARIA', 'PETER', 'LUCIA', 'OMAR', 'YUKI', 'ELLA', 'IVAN', 'SARA', 'TOM', 'NINA'];
const MODALITIES = ['CT', 'MR', 'CR', 'DX', 'US', 'MG', 'PT', 'NM', 'XA', 'SR'];
const SOP_CLASSES: Record<string, string> = {
  CT: '1.2.840.10008.5.1.4.1.1.2',
  MR: '1.2.840.10008.5.1.4.1.1.4',
  CR: '1.2.840.10008.5.1.4.1.1.1',
  DX: '1.2.840.10008.5.1.4.1.1.1.1',
  US: '1.2.840.10008.5.1.4.1.1.6.1',
  MG: '1.2.840.10008.5.1.4.1.1.1.2',
  PT: '1.2.840.10008.5.1.4.1.1.128',
  NM: '1.2.840.10008.5.1.4.1.1.20',
  XA: '1.2.840.10008.5.1.4.1.1.12.1',
  SR: '1.2.840.10008.5.1.4.1.1.88.22',
};

const pad = (n: number, w: number) => String(n).padStart(w, '0');

/**
 * Records for `instances` instances spread over `studies` studies of `patients` patients
 * (each study `seriesPerStudy` series), with varied names, dates, modalities and accession
 * numbers. UIDs are under 2.25.999 and unique.
 */
export function* syntheticRecords(sizes: SyntheticSizes): Generator<InstanceIndexRecord> {
  const rnd = prng(sizes.seed ?? 1);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const seriesPerStudy = sizes.seriesPerStudy ?? 3;
  const totalSeries = sizes.studies * seriesPerStudy;
  let made = 0;
  for (let st = 0; st < sizes.studies; st++) {
    const p = st % sizes.patients;
    const patient = {
      PatientID: `PID${pad(p, 6)}`,
      IssuerOfPatientID: p % 10 === 0 ? 'OTHER' : '',
      PatientName: `${FAMILY[p % FAMILY.length]}^${GIVEN[Math.floor(p / FAMILY.length) % GIVEN.length]}^${p}`,
      PatientBirthDate: `19${pad(30 + (p % 60), 2)}${pad(1 + (p % 12), 2)}${pad(1 + (p % 28), 2)}`,
      PatientSex: p % 2 ? 'F' : 'M',
    };
    const study = {
      StudyInstanceUID: `2.25.999.1.${st + 1}`,
      StudyDate: `20${pad(Math.floor(rnd() * 25), 2)}${pad(1 + Math.floor(rnd() * 12), 2)}${pad(1 + Math.floor(rnd() * 28), 2)}`,
      StudyTime: `${pad(Math.floor(rnd() * 24), 2)}${pad(Math.floor(rnd() * 60), 2)}${pad(Math.floor(rnd() * 60), 2)}`,
      AccessionNumber: `ACC${pad(st + 1, 7)}`,
      StudyID: String(st + 1),
      ReferringPhysicianName: `${pick(FAMILY)}^${pick(GIVEN)}`,
      StudyDescription: `${pick(['HEAD', 'CHEST', 'ABDOMEN', 'KNEE', 'SPINE'])} ${pick(['ROUTINE', 'FOLLOW-UP', 'TRAUMA'])}`,
    };
    for (let se = 0; se < seriesPerStudy; se++) {
      const seriesIndex = st * seriesPerStudy + se;
      // Spread the instances evenly over all series.
      const upTo = Math.round(((seriesIndex + 1) * sizes.instances) / totalSeries);
      const modality = pick(MODALITIES);
      const series = {
        SeriesInstanceUID: `2.25.999.2.${seriesIndex + 1}`,
        Modality: modality,
        SeriesNumber: String(se + 1),
        SeriesDescription: `${modality} series ${se + 1}`,
        BodyPartExamined: pick(['HEAD', 'CHEST', 'ABDOMEN', 'KNEE']),
        SeriesDate: study.StudyDate,
        SeriesTime: study.StudyTime,
      };
      for (let n = 1; made < upTo; n++, made++) {
        yield {
          patient,
          study,
          series,
          instance: { SOPInstanceUID: `2.25.999.3.${made + 1}`, SOPClassUID: SOP_CLASSES[modality]!, InstanceNumber: String(n) },
          transferSyntaxUid: '1.2.840.10008.1.2.1',
          filePath: `files/${study.StudyInstanceUID}/${series.SeriesInstanceUID}/2.25.999.3.${made + 1}.dcm`,
          fileSize: 1000 + (made % 1000),
          dataSetOffset: 300,
          receivedAt: 1_700_000_000_000 + made,
        };
      }
    }
  }
}
