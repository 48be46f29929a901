// Three archives holding overlapping studies of one patient, for searches across nodes: Orthanc
// A (its files name no issuer), dcmqrscp B and Orthanc C (its files name the issuer HOSP_A),
// plus, on C, a namesake with other identifiers and a study filed under another ID that lists
// the patient's in its Other Patient IDs Sequence. All on 127.0.0.1 with ports chosen at run time.
//
//   study  description      A  B  C   identifiers
//   s1     CT CHEST 2019    x          FED-1 (no issuer in the file)
//   s2     CT CHEST 2020    x  x       FED-1
//   s3     CT CHEST 2021       x  x    FED-1 (B), FED-1 from HOSP_A (C)
//   s4     CT CHEST 2022          x    FED-1 from HOSP_A
//   s5     CT HEAD 2023           x    FED-X9 from HOSP_C, same name, birth date and sex
//   s6     CT KNEE 2024           x    C-77 from HOSP_C, other ID FED-1 from HOSP_A
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { generateCtSeries, type GeneratedSeries } from './data.js';
import { loadIntoDcmqrscp, loadIntoOrthanc, startDcmqrscp, startOrthanc, type DcmqrscpPeer, type OrthancPeer } from './peers.js';
import { runPython } from './pydicom.js';
import { tempDir } from './tmp.js';

export const ALICE = { patientName: 'FED^ALICE', patientId: 'FED-1', birthDate: '19500101', sex: 'F' as const };

/** The archives and what each holds. */
export interface Federation {
  a: OrthancPeer;
  b: DcmqrscpPeer;
  c: OrthancPeer;
  /** Each study by name (s1 … s6): its StudyInstanceUID and description. */
  studies: Record<'s1' | 's2' | 's3' | 's4' | 's5' | 's6', { uid: string; description: string }>;
  stop(): Promise<void>;
}

/** Copies of `files` (same UIDs) with patient attributes set and, when given, an Other Patient IDs Sequence. */
function withPatient(
  files: string[],
  out: string,
  set: Record<string, string>,
  otherIds: Array<{ PatientID: string; IssuerOfPatientID: string }> = [],
): string[] {
  mkdirSync(out, { recursive: true });
  return runPython<string[]>(
    `
import sys, os, json, pydicom
from pydicom.dataset import Dataset
spec = json.loads(sys.argv[1])
out = []
for f in spec['files']:
    ds = pydicom.dcmread(f)
    for k, v in spec['set'].items():
        setattr(ds, k, v)
    if spec['other']:
        items = []
        for o in spec['other']:
            item = Dataset()
            item.PatientID = o['PatientID']
            item.IssuerOfPatientID = o['IssuerOfPatientID']
            item.TypeOfPatientID = 'TEXT'
            items.append(item)
        ds.OtherPatientIDsSequence = items
    p = os.path.join(spec['out'], os.path.basename(f))
    ds.save_as(p)
    out.append(p)
print(json.dumps(out))
`,
    [JSON.stringify({ files, out, set, other: otherIds })],
  );
}

/**
 * Starts the three archives. `priors`: our AE title and port, so that A and C can C-MOVE to us
 * (dcmqrscp learns it from its HostTable). `dicomweb`: C answers DICOMweb too (its
 * `dicomwebUrl`), Orthanc's plugin over the same store.
 */
export async function startFederation(o: { priors?: { aeTitle: string; port: number }; dicomweb?: boolean } = {}): Promise<Federation> {
  const dir = tempDir('federation');
  const small = { rows: 32, cols: 32, count: 2 };
  const gen = (description: string, date: string, who: Partial<typeof ALICE> = {}): Promise<GeneratedSeries> =>
    generateCtSeries({ ...small, ...ALICE, ...who, studyDescription: description, studyDate: date, accession: `FED-${date.slice(0, 4)}` });
  const s1 = await gen('CT CHEST 2019', '20190101');
  const s2 = await gen('CT CHEST 2020', '20200101');
  const s3 = await gen('CT CHEST 2021', '20210101');
  const s4 = await gen('CT CHEST 2022', '20220101');
  const s5 = await gen('CT HEAD 2023', '20230101', { patientId: 'FED-X9' });
  const s6 = await gen('CT KNEE 2024', '20240101', { patientId: 'C-77' });
  const onC = [
    ...withPatient(s3.files, join(dir, 's3'), { IssuerOfPatientID: 'HOSP_A' }),
    ...withPatient(s4.files, join(dir, 's4'), { IssuerOfPatientID: 'HOSP_A' }),
    ...withPatient(s5.files, join(dir, 's5'), { IssuerOfPatientID: 'HOSP_C' }),
    ...withPatient(s6.files, join(dir, 's6'), { IssuerOfPatientID: 'HOSP_C' }, [{ PatientID: 'FED-1', IssuerOfPatientID: 'HOSP_A' }]),
  ];
  const modalities: Record<string, [string, string, number]> = o.priors ? { priors: [o.priors.aeTitle, '127.0.0.1', o.priors.port] } : {};
  const a = await startOrthanc({ dir: join(dir, 'a'), aeTitle: 'ARCHIVE_A', modalities });
  const b = await startDcmqrscp({
    dir: join(dir, 'b'),
    aeTitle: 'ARCHIVE_B',
    peers: o.priors ? [{ aeTitle: o.priors.aeTitle, host: '127.0.0.1', port: o.priors.port }] : [],
  });
  const c = await startOrthanc({ dir: join(dir, 'c'), aeTitle: 'ARCHIVE_C', modalities, ...(o.dicomweb ? { dicomweb: true } : {}) });
  await loadIntoOrthanc(a, [...s1.files, ...s2.files]);
  await loadIntoDcmqrscp(b, [...s2.files, ...s3.files]);
  await loadIntoOrthanc(c, onC);
  const study = (s: GeneratedSeries, description: string) => ({ uid: s.StudyInstanceUID, description });
  return {
    a,
    b,
    c,
    studies: {
      s1: study(s1, 'CT CHEST 2019'),
      s2: study(s2, 'CT CHEST 2020'),
      s3: study(s3, 'CT CHEST 2021'),
      s4: study(s4, 'CT CHEST 2022'),
      s5: study(s5, 'CT HEAD 2023'),
      s6: study(s6, 'CT KNEE 2024'),
    },
    stop: async () => {
      await Promise.all([a.stop(), b.stop(), c.stop()]);
    },
  };
}
