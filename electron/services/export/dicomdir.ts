/**
 * The DICOMDIR of a General Purpose medium (PS3.10 §8, PS3.11 Annex D STD-GEN-CD, PS3.3 F.2):
 * a Part-10 file of the Media Storage Directory SOP Class whose Directory Record Sequence holds
 * one PATIENT record per patient, below it its STUDY records, below each its SERIES records and
 * below each one record per file (IMAGE, SR DOCUMENT, RT DOSE…: dicomdir-records.ts). Records
 * are linked by byte offsets counted from the first byte of the file (the preamble's):
 * (0004,1400) the next record at the same level, (0004,1420) the first record of the level
 * below, (0004,1200) and (0004,1202) the first and last PATIENT record (PS3.3 F.3.2.1).
 */
import { EXPLICIT_LITTLE_ENDIAN, encodeDataSet } from '../../../shared/dicom/codec.js';
import { type DataSet, type Tag, getStrings } from '../../../shared/dicom/dataset.js';
import { TransferSyntaxUid } from '../../../shared/dicom/uids.js';
import { buildFileMetaInformation } from '../../cache/file-meta.js';
import { entityKeys, type InventContext, leafKeys, leafRecordType } from './dicomdir-records.js';
import { SERIES_INSTANCE_UID, STUDY_INSTANCE_UID } from '../../../shared/dicom/tags.js';

/** Media Storage Directory Storage (PS3.4 Annex I). */
export const MEDIA_STORAGE_DIRECTORY_STORAGE = '1.2.840.10008.1.3.10';

const D = {
  FileSetID: 0x00041130,
  FirstRecord: 0x00041200,
  LastRecord: 0x00041202,
  ConsistencyFlag: 0x00041212,
  RecordSequence: 0x00041220,
  NextRecord: 0x00041400,
  InUse: 0x00041410,
  LowerLevel: 0x00041420,
  RecordType: 0x00041430,
  FileID: 0x00041500,
  FileSopClass: 0x00041510,
  FileSopInstance: 0x00041511,
  FileTransferSyntax: 0x00041512,
} as const;

/** One file of the medium, with the data set it holds (its elements before Pixel Data are enough). */
export interface MediaFile {
  fileId: string[];
  sopClassUid: string;
  sopInstanceUid: string;
  transferSyntaxUid: string;
  dataSet: DataSet;
  /** Groups files into PATIENT records (the Patient ID, with its issuer, as the export found it). */
  patientKey: string;
}

interface Node {
  keys: DataSet;
  type: string;
  children: Node[];
}

/**
 * The tree of records: patients in the order their first file came, then their studies, series
 * and files likewise. A study's and series' keys come from their first file.
 */
function tree(files: readonly MediaFile[]): Node[] {
  const patients = new Map<string, { node: Node; studies: Map<string, { node: Node; series: Map<string, Node> }> }>();
  for (const f of files) {
    let patient = patients.get(f.patientKey);
    if (!patient) {
      patient = { node: { type: 'PATIENT', keys: entityKeys('PATIENT', f.dataSet, { index: patients.size + 1 }), children: [] }, studies: new Map() };
      patients.set(f.patientKey, patient);
    }
    const studyUid = getStrings(f.dataSet, STUDY_INSTANCE_UID)[0] ?? '';
    let study = patient.studies.get(studyUid);
    if (!study) {
      study = { node: { type: 'STUDY', keys: entityKeys('STUDY', f.dataSet, { index: patient.studies.size + 1 }), children: [] }, series: new Map() };
      patient.studies.set(studyUid, study);
      patient.node.children.push(study.node);
    }
    const seriesUid = getStrings(f.dataSet, SERIES_INSTANCE_UID)[0] ?? '';
    let series = study.series.get(seriesUid);
    if (!series) {
      series = { type: 'SERIES', keys: entityKeys('SERIES', f.dataSet, { index: study.series.size + 1 }), children: [] };
      study.series.set(seriesUid, series);
      study.node.children.push(series);
    }
    const type = leafRecordType(f.sopClassUid);
    const ctx: InventContext = { index: series.children.length + 1 };
    const keys = leafKeys(type, f.dataSet, ctx);
    keys.set(D.FileID, { vr: 'CS', value: f.fileId });
    keys.set(D.FileSopClass, { vr: 'UI', value: [f.sopClassUid] });
    keys.set(D.FileSopInstance, { vr: 'UI', value: [f.sopInstanceUid] });
    keys.set(D.FileTransferSyntax, { vr: 'UI', value: [f.transferSyntaxUid] });
    series.children.push({ type, keys, children: [] });
  }
  return [...patients.values()].map((p) => p.node);
}

/** The records in file order (each before its children, PS3.3 F.3.2.2), with their parent links. */
function flatten(roots: Node[]): { node: Node; next?: Node; lower?: Node }[] {
  const out: { node: Node; next?: Node; lower?: Node }[] = [];
  const visit = (level: Node[]) =>
    level.forEach((node, i) => {
      out.push({ node, ...(level[i + 1] ? { next: level[i + 1] } : {}), ...(node.children[0] ? { lower: node.children[0] } : {}) });
      visit(node.children);
    });
  visit(roots);
  return out;
}

function record(node: Node, next: number, lower: number): DataSet {
  const ds: DataSet = new Map(node.keys);
  ds.set(D.NextRecord, { vr: 'UL', value: [next] });
  ds.set(D.InUse, { vr: 'US', value: [0xffff] });
  ds.set(D.LowerLevel, { vr: 'UL', value: [lower] });
  ds.set(D.RecordType, { vr: 'CS', value: [node.type] });
  return ds;
}

/** What {@link buildDicomdir} needs besides the files. */
export interface DicomdirOptions {
  /** File-set ID (0004,1130): CS, at most 16 characters. */
  fileSetId: string;
  /** File-set UID, written as the DICOMDIR's Media Storage SOP Instance UID. */
  fileSetUid: string;
}

/** The bytes of the DICOMDIR file (preamble, file meta information, Basic Directory data set). */
export function buildDicomdir(files: readonly MediaFile[], o: DicomdirOptions): Uint8Array {
  const meta = buildFileMetaInformation({
    sopClassUid: MEDIA_STORAGE_DIRECTORY_STORAGE,
    sopInstanceUid: o.fileSetUid,
    transferSyntaxUid: TransferSyntaxUid.ExplicitVRLittleEndian,
  });
  const records = flatten(tree(files));
  // record lengths do not depend on the offsets they hold (UL values): encode once to place them, then with the offsets
  const lengths = records.map((r) => encodeDataSet(record(r.node, 0, 0), EXPLICIT_LITTLE_ENDIAN).length);
  const head = (first: number, last: number): DataSet =>
    new Map<Tag, { vr: 'CS' | 'UL' | 'US'; value: (string | number)[] }>([
      [D.FileSetID, { vr: 'CS', value: [o.fileSetId] }],
      [D.FirstRecord, { vr: 'UL', value: [first] }],
      [D.LastRecord, { vr: 'UL', value: [last] }],
      [D.ConsistencyFlag, { vr: 'US', value: [0] }],
    ]) as DataSet;
  const headLength = encodeDataSet(head(0, 0), EXPLICIT_LITTLE_ENDIAN).length;
  const sequenceHeader = 12; // tag, "SQ", 2 reserved bytes, 4-byte length
  const offsets = new Map<Node, number>();
  let at = meta.length + headLength + sequenceHeader;
  records.forEach((r, i) => {
    offsets.set(r.node, at);
    at += 8 + lengths[i]!;
  });
  const items = records.map((r) =>
    encodeDataSet(record(r.node, r.next ? offsets.get(r.next)! : 0, r.lower ? offsets.get(r.lower)! : 0), EXPLICIT_LITTLE_ENDIAN),
  );
  const roots = records.filter((r) => r.node.type === 'PATIENT');
  const first = roots.length ? offsets.get(roots[0]!.node)! : 0;
  const last = roots.length ? offsets.get(roots[roots.length - 1]!.node)! : 0;
  const headBytes = encodeDataSet(head(first, last), EXPLICIT_LITTLE_ENDIAN);
  const itemsLength = items.reduce((n, b) => n + 8 + b.length, 0);
  const out = Buffer.alloc(meta.length + headBytes.length + sequenceHeader + itemsLength);
  let pos = 0;
  out.set(meta, pos);
  pos += meta.length;
  out.set(headBytes, pos);
  pos += headBytes.length;
  out.writeUInt16LE(0x0004, pos);
  out.writeUInt16LE(0x1220, pos + 2);
  out.write('SQ', pos + 4, 'latin1');
  out.writeUInt16LE(0, pos + 6);
  out.writeUInt32LE(itemsLength, pos + 8);
  pos += sequenceHeader;
  items.forEach((b, i) => {
    if (b.length !== lengths[i]) throw new Error('A directory record changed length when its offsets were set');
    out.writeUInt16LE(0xfffe, pos);
    out.writeUInt16LE(0xe000, pos + 2);
    out.writeUInt32LE(b.length, pos + 4);
    out.set(b, pos + 8);
    pos += 8 + b.length;
  });
  return out;
}
