// Query values that must match literally (issue 6 item 6): quotes, percent signs, underscores,
// brackets, SQL keywords. The cache binds every value as a parameter and translates only the
// DICOM wild cards `*` and `?` (PS3.4 C.2.2.2.4); `%` and `_` (SQL LIKE) and `[` (GLOB) are
// ordinary characters. A backslash separates values (PS3.5 §6.2, VM): `A_B\1000` is two values,
// each matched literally. Used by test/unit/electron/cache/query-literal.test.ts (the cache) and
// test/interop/query-literal-dcmtk.test.ts (our SCU and DCMTK findscu against our SCP).
import { type DataSet, setString } from '../../shared/dicom/dataset.js';
import { EXPLICIT_LITTLE_ENDIAN, encodeDataSet } from '../../shared/dicom/codec.js';
import type { Cache } from '../../electron/cache/index.js';

export const SC = '1.2.840.10008.5.1.4.1.1.7';
export const EXPLICIT_LE = '1.2.840.10008.1.2.1';

/** One patient with one study of one instance. */
export interface LiteralPatient {
  PatientID: string;
  PatientName: string;
  StudyDescription: string;
  AccessionNumber: string;
}

export const PATIENTS: readonly LiteralPatient[] = [
  { PatientID: "O'BRIEN-1", PatientName: "O'Brien^Miles", StudyDescription: "x' OR '1'='1", AccessionNumber: "Q'1" },
  { PatientID: '100%', PatientName: 'Percent^Pat', StudyDescription: '100% done', AccessionNumber: '100%' },
  { PatientID: '1000', PatientName: 'Plain^Pat', StudyDescription: '1000 done', AccessionNumber: '1000' },
  { PatientID: 'A_B', PatientName: 'Under_Score^Pat', StudyDescription: "'; DROP TABLE instance; --", AccessionNumber: 'A_B' },
  { PatientID: 'AXB', PatientName: 'UnderXScore^Pat', StudyDescription: 'DROP TABLE', AccessionNumber: 'AXB' },
  { PatientID: '[1]', PatientName: 'Bracket^Pat', StudyDescription: '[abc]', AccessionNumber: '[1]' },
  { PatientID: '1', PatientName: 'One^Pat', StudyDescription: 'a', AccessionNumber: '1' },
  { PatientID: '"QUOTED"', PatientName: 'Dq^"Pat"', StudyDescription: 'say "hi"; --', AccessionNumber: '"Q"' },
];

/** A query (one key) and the PatientIDs it must match. */
export interface LiteralCase {
  keyword: 'PatientID' | 'PatientName' | 'StudyDescription' | 'AccessionNumber';
  value: string;
  expected: string[];
}

export const CASES: readonly LiteralCase[] = [
  { keyword: 'PatientID', value: "O'BRIEN-1", expected: ["O'BRIEN-1"] },
  { keyword: 'PatientID', value: '100%', expected: ['100%'] },
  { keyword: 'PatientID', value: '%', expected: [] },
  { keyword: 'PatientID', value: '*%', expected: ['100%'] },
  { keyword: 'PatientID', value: '100*', expected: ['100%', '1000'] },
  { keyword: 'PatientID', value: 'A_B', expected: ['A_B'] },
  { keyword: 'PatientID', value: '_', expected: [] },
  { keyword: 'PatientID', value: '*_*', expected: ['A_B'] },
  { keyword: 'PatientID', value: 'A?B', expected: ['A_B', 'AXB'] },
  { keyword: 'PatientID', value: '[1]', expected: ['[1]'] },
  { keyword: 'PatientID', value: '[1]*', expected: ['[1]'] },
  { keyword: 'PatientID', value: '[*', expected: ['[1]'] },
  { keyword: 'PatientID', value: '"QUOTED"', expected: ['"QUOTED"'] },
  { keyword: 'PatientID', value: "' OR '1'='1", expected: [] },
  { keyword: 'PatientID', value: 'A_B\\1000', expected: ['1000', 'A_B'] },
  { keyword: 'PatientID', value: '100%\\%', expected: ['100%'] },
  { keyword: 'PatientName', value: "O'Brien^Miles", expected: ["O'BRIEN-1"] },
  { keyword: 'PatientName', value: "O'B*", expected: ["O'BRIEN-1"] },
  { keyword: 'PatientName', value: 'Under_Score^Pat', expected: ['A_B'] },
  { keyword: 'PatientName', value: 'Under_*', expected: ['A_B'] },
  { keyword: 'PatientName', value: 'Dq^"Pat"', expected: ['"QUOTED"'] },
  { keyword: 'StudyDescription', value: "'; DROP TABLE instance; --", expected: ['A_B'] },
  { keyword: 'StudyDescription', value: "x' OR '1'='1", expected: ["O'BRIEN-1"] },
  { keyword: 'StudyDescription', value: "*' OR '*", expected: ["O'BRIEN-1"] },
  { keyword: 'StudyDescription', value: '100% done', expected: ['100%'] },
  { keyword: 'StudyDescription', value: '*; --', expected: ['"QUOTED"', 'A_B'] },
  { keyword: 'StudyDescription', value: '[abc]', expected: ['[1]'] },
  { keyword: 'AccessionNumber', value: '100%', expected: ['100%'] },
  { keyword: 'AccessionNumber', value: "Q'1", expected: ["O'BRIEN-1"] },
];

/** Stores the patients into a cache (one instance each). */
export async function storeLiteralPatients(cache: Cache): Promise<void> {
  let n = 0;
  for (const p of PATIENTS) {
    n++;
    const study = `1.2.826.0.1.3680043.10.1.1.${n}`;
    const sop = `${study}.1.1`;
    const ds: DataSet = new Map();
    setString(ds, 0x00080016, 'UI', SC);
    setString(ds, 0x00080018, 'UI', sop);
    setString(ds, 0x00080020, 'DA', '20240102');
    setString(ds, 0x00080050, 'SH', p.AccessionNumber);
    setString(ds, 0x00080060, 'CS', 'OT');
    setString(ds, 0x00081030, 'LO', p.StudyDescription);
    setString(ds, 0x00100010, 'PN', p.PatientName);
    setString(ds, 0x00100020, 'LO', p.PatientID);
    setString(ds, 0x0020000d, 'UI', study);
    setString(ds, 0x0020000e, 'UI', `${study}.1`);
    const writer = cache.createTempWriter({ meta: { sopClassUid: SC, sopInstanceUid: sop, transferSyntaxUid: EXPLICIT_LE } });
    await new Promise<void>((resolve, reject) =>
      writer.stream.end(Buffer.from(encodeDataSet(ds, EXPLICIT_LITTLE_ENDIAN)), (e?: Error | null) => (e ? reject(e) : resolve())),
    );
    await writer.commit({ expectedSopInstanceUid: sop });
  }
}
