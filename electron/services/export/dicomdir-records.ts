/**
 * The keys of the directory records of a Basic Directory (PS3.3 F.5): which record type a SOP
 * Class is filed under below its SERIES record (PS3.3 Table F.4-1), and each record's keys taken
 * from the referenced file's data set. A Type 1 key the file lacks (or holds empty) is invented,
 * as the profile requires a value (PS3.11 D.3.3: a media creator may fill it); Type 2 keys are
 * written empty when the file has none.
 */
import { type DataElement, type DataSet, type Tag, getItems, getStrings } from '../../../shared/dicom/dataset.js';
import { vrOf } from '../../../shared/dicom/dictionary.js';
import { CHARSET_VRS } from '../../../shared/dicom/charset.js';
import type { MediaNumbers } from './file-ids.js';

const STORAGE = '1.2.840.10008.5.1.4.1.1.';

/** A record type below SERIES (PS3.3 F.5, Directory Record Type values). */
export type LeafRecordType =
  | 'IMAGE'
  | 'RT DOSE'
  | 'RT STRUCTURE SET'
  | 'RT PLAN'
  | 'RT TREAT RECORD'
  | 'PRESENTATION'
  | 'WAVEFORM'
  | 'SR DOCUMENT'
  | 'KEY OBJECT DOC'
  | 'SPECTROSCOPY'
  | 'RAW DATA'
  | 'REGISTRATION'
  | 'FIDUCIAL'
  | 'ENCAP DOC'
  | 'VALUE MAP'
  | 'STEREOMETRIC'
  | 'MEASUREMENT'
  | 'SURFACE'
  | 'SURFACE SCAN'
  | 'TRACT'
  | 'ASSESSMENT'
  | 'RADIOTHERAPY';

/** SOP Classes (under the storage branch) by the record type they are filed under; every other class is an IMAGE. */
const BY_CLASS: Readonly<Record<string, LeafRecordType>> = Object.fromEntries(
  (
    [
      ['RT DOSE', ['481.2']],
      ['RT STRUCTURE SET', ['481.3']],
      ['RT PLAN', ['481.5', '481.8']],
      ['RT TREAT RECORD', ['481.4', '481.6', '481.7', '481.9']],
      [
        'RADIOTHERAPY',
        ['481.10', '481.11', '481.12', '481.13', '481.14', '481.15', '481.16', '481.17', '481.18', '481.19', '481.20', '481.21', '481.22', '481.25'],
      ],
      ['PRESENTATION', ['11.1', '11.2', '11.3', '11.4', '11.5', '11.6', '11.7', '11.8', '11.9', '11.10', '11.11', '11.12', '131']],
      [
        'WAVEFORM',
        ['9.1.1', '9.1.2', '9.1.3', '9.1.4', '9.2.1', '9.3.1', '9.4.1', '9.4.2', '9.5.1', '9.6.1', '9.6.2', '9.7.1', '9.7.2', '9.7.3', '9.7.4', '9.8.1'],
      ],
      [
        'SR DOCUMENT',
        [
          '88.11',
          '88.22',
          '88.33',
          '88.34',
          '88.35',
          '88.40',
          '88.50',
          '88.65',
          '88.67',
          '88.68',
          '88.69',
          '88.70',
          '88.71',
          '88.72',
          '88.73',
          '88.74',
          '88.75',
          '88.76',
          '88.77',
          '78.6',
          '79.1',
        ],
      ],
      ['KEY OBJECT DOC', ['88.59']],
      ['SPECTROSCOPY', ['4.2']],
      ['RAW DATA', ['66']],
      ['REGISTRATION', ['66.1', '66.3']],
      ['FIDUCIAL', ['66.2']],
      ['ENCAP DOC', ['104.1', '104.2', '104.3', '104.4', '104.5']],
      ['VALUE MAP', ['67']],
      ['STEREOMETRIC', ['77.1.5.3']],
      ['MEASUREMENT', ['78.1', '78.2', '78.3', '78.4', '78.5', '78.7', '78.8', '80.1']],
      ['SURFACE', ['66.5']],
      ['SURFACE SCAN', ['68.1', '68.2']],
      ['TRACT', ['66.6']],
      ['ASSESSMENT', ['90.1']],
    ] as const
  ).flatMap(([type, classes]) => classes.map((c) => [STORAGE + c, type])),
);

/** The record type a SOP Class is filed under below SERIES. */
export function leafRecordType(sopClassUid: string): LeafRecordType {
  return BY_CLASS[sopClassUid] ?? 'IMAGE';
}

/** Keyword → tag of the keys used here. */
const K = {
  SpecificCharacterSet: 0x00080005,
  StudyDate: 0x00080020,
  ContentDate: 0x00080023,
  StudyTime: 0x00080030,
  ContentTime: 0x00080033,
  AccessionNumber: 0x00080050,
  Modality: 0x00080060,
  StudyDescription: 0x00081030,
  PatientName: 0x00100010,
  PatientID: 0x00100020,
  StudyInstanceUID: 0x0020000d,
  SeriesInstanceUID: 0x0020000e,
  StudyID: 0x00200010,
  SeriesNumber: 0x00200011,
  InstanceNumber: 0x00200013,
  ImageType: 0x00080008,
  Rows: 0x00280010,
  Columns: 0x00280011,
  NumberOfFrames: 0x00280008,
  DataPointRows: 0x00289001,
  DataPointColumns: 0x00289002,
  ContentLabel: 0x00700080,
  ContentDescription: 0x00700081,
  ContentCreatorName: 0x00700084,
  PresentationCreationDate: 0x00700082,
  PresentationCreationTime: 0x00700083,
  ReferencedSeriesSequence: 0x00081115,
  DoseSummationType: 0x3004000a,
  StructureSetLabel: 0x30060002,
  StructureSetDate: 0x30060008,
  StructureSetTime: 0x30060009,
  RTPlanLabel: 0x300a0002,
  RTPlanDate: 0x300a0006,
  RTPlanTime: 0x300a0007,
  TreatmentDate: 0x30080250,
  TreatmentTime: 0x30080251,
  CompletionFlag: 0x0040a491,
  VerificationFlag: 0x0040a493,
  VerificationDateTime: 0x0040a030,
  VerifyingObserverSequence: 0x0040a073,
  ConceptNameCodeSequence: 0x0040a043,
  ContentSequence: 0x0040a730,
  RelationshipType: 0x0040a010,
  DocumentTitle: 0x00420010,
  MIMETypeOfEncapsulatedDocument: 0x00420012,
  HL7InstanceIdentifier: 0x0040e001,
  InstanceCreationDate: 0x00080012,
  InstanceCreationTime: 0x00080013,
} as const;

/** How a key is taken: its tag, its Type in the record, and what is invented when a Type 1 key is missing. */
type Key = readonly [tag: Tag, type: '1' | '2' | '1C', invent?: (file: DataSet, ctx: InventContext) => DataElement];

/** What an invented value may use. */
export interface InventContext {
  /** The entity's number within its parent (from 1): an Instance Number, a Series Number, a Study ID. */
  index: number;
}

/** The date and time an invented key holds: clearly not a real one. */
const DUMMY_DATE = '19000101';
const DUMMY_TIME = '000000';

const text = (vr: DataElement['vr'], value: string): DataElement => ({ vr, value: [value] });
const or = (file: DataSet, tag: Tag, fallback: string): string => getStrings(file, tag)[0]?.trim() || fallback;
const dateOf = (file: DataSet): DataElement => text('DA', or(file, K.StudyDate, DUMMY_DATE));
const timeOf = (file: DataSet): DataElement => text('TM', or(file, K.StudyTime, DUMMY_TIME));
const instanceNumber: Key = [K.InstanceNumber, '1', (_f, ctx) => text('IS', String(ctx.index))];
const contentDate: Key = [K.ContentDate, '1', dateOf];
const contentTime: Key = [K.ContentTime, '1', timeOf];
const contentIdentification: readonly Key[] = [
  instanceNumber,
  [K.ContentLabel, '1', () => text('CS', 'UNNAMED')],
  [K.ContentDescription, '2'],
  [K.ContentCreatorName, '2'],
];

/** Keys below SERIES, by record type (PS3.3 F.5.4 onwards). */
const LEAF_KEYS: Readonly<Record<LeafRecordType, readonly Key[]>> = {
  IMAGE: [instanceNumber],
  'RT DOSE': [instanceNumber, [K.DoseSummationType, '1', () => text('CS', 'PLAN')]],
  'RT STRUCTURE SET': [instanceNumber, [K.StructureSetLabel, '1', () => text('SH', 'UNNAMED')], [K.StructureSetDate, '2'], [K.StructureSetTime, '2']],
  'RT PLAN': [instanceNumber, [K.RTPlanLabel, '1', () => text('SH', 'UNNAMED')], [K.RTPlanDate, '2'], [K.RTPlanTime, '2']],
  'RT TREAT RECORD': [instanceNumber, [K.TreatmentDate, '2'], [K.TreatmentTime, '2']],
  PRESENTATION: [
    [K.PresentationCreationDate, '1', (f) => text('DA', or(f, K.ContentDate, or(f, K.StudyDate, DUMMY_DATE)))],
    [K.PresentationCreationTime, '1', (f) => text('TM', or(f, K.ContentTime, or(f, K.StudyTime, DUMMY_TIME)))],
    ...contentIdentification,
    [K.ReferencedSeriesSequence, '1C'],
  ],
  WAVEFORM: [instanceNumber, contentDate, contentTime],
  'SR DOCUMENT': [
    instanceNumber,
    [K.CompletionFlag, '1', () => text('CS', 'PARTIAL')],
    [K.VerificationFlag, '1', () => text('CS', 'UNVERIFIED')],
    contentDate,
    contentTime,
    [K.VerificationDateTime, '1C'],
    [K.ConceptNameCodeSequence, '1'],
  ],
  'KEY OBJECT DOC': [instanceNumber, contentDate, contentTime, [K.ConceptNameCodeSequence, '1']],
  SPECTROSCOPY: [
    [K.ImageType, '1', () => text('CS', 'ORIGINAL')],
    contentDate,
    contentTime,
    instanceNumber,
    [K.NumberOfFrames, '1'],
    [K.Rows, '1'],
    [K.Columns, '1'],
    [K.DataPointRows, '1'],
    [K.DataPointColumns, '1'],
  ],
  'RAW DATA': [instanceNumber, contentDate, contentTime],
  REGISTRATION: [contentDate, contentTime, ...contentIdentification],
  FIDUCIAL: [contentDate, contentTime, ...contentIdentification],
  'ENCAP DOC': [
    [K.ContentDate, '2'],
    [K.ContentTime, '2'],
    instanceNumber,
    [K.DocumentTitle, '2'],
    [K.HL7InstanceIdentifier, '1C'],
    [K.ConceptNameCodeSequence, '2'],
    [K.MIMETypeOfEncapsulatedDocument, '1', () => text('LO', 'application/octet-stream')],
  ],
  'VALUE MAP': [contentDate, contentTime, ...contentIdentification],
  STEREOMETRIC: [],
  MEASUREMENT: [contentDate, contentTime, ...contentIdentification],
  SURFACE: [contentDate, contentTime, ...contentIdentification],
  'SURFACE SCAN': [contentDate, contentTime],
  TRACT: [contentDate, contentTime, ...contentIdentification],
  ASSESSMENT: [instanceNumber, [K.InstanceCreationDate, '1', dateOf], [K.InstanceCreationTime, '2']],
  RADIOTHERAPY: [instanceNumber, ...contentIdentification.slice(2)],
};

const PATIENT_KEYS: readonly Key[] = [
  [K.PatientName, '2'],
  [K.PatientID, '1', (_f, ctx) => text('LO', `PRIORS${ctx.index}`)],
];
const STUDY_KEYS: readonly Key[] = [
  [K.StudyDate, '1', () => text('DA', DUMMY_DATE)],
  [K.StudyTime, '1', () => text('TM', DUMMY_TIME)],
  [K.StudyDescription, '2'],
  [K.StudyInstanceUID, '1'],
  [K.StudyID, '1', () => text('SH', '1')],
  [K.AccessionNumber, '2'],
];
const SERIES_KEYS: readonly Key[] = [
  [K.Modality, '1', () => text('CS', 'OT')],
  [K.SeriesInstanceUID, '1'],
  [K.SeriesNumber, '1', (_f, ctx) => text('IS', String(ctx.index))],
];

function present(el: DataElement | undefined): boolean {
  if (!el) return false;
  return el.value instanceof Uint8Array ? el.value.length > 0 : el.value.length > 0;
}

/** The Content Sequence items a SR or KO record carries: only the root's HAS CONCEPT MOD items (PS3.3 F.5.25). */
function conceptModifiers(file: DataSet): DataElement | undefined {
  const items = getItems(file, K.ContentSequence).filter((item) => getStrings(item, K.RelationshipType)[0] === 'HAS CONCEPT MOD');
  return items.length ? { vr: 'SQ', value: items } : undefined;
}

/**
 * A date or time key as the DICOMDIR's VR wants it (PS3.5 Table 6.2-1): the ACR-NEMA forms some
 * old files hold ("1997.04.24", "14:04:38") without their separators; undefined when the value
 * cannot be read as one, so that the key is invented or left empty like a missing one.
 */
function validTemporal(el: DataElement): DataElement | undefined {
  if ((el.vr !== 'DA' && el.vr !== 'TM') || !Array.isArray(el.value)) return el;
  const pattern = el.vr === 'DA' ? /^\d{8}$/ : /^\d{2}(\d{2}(\d{2}(\.\d{1,6})?)?)?$/;
  const values = (el.value as unknown[]).map((v) => String(v).trim());
  if (values.every((v) => pattern.test(v))) return el;
  const fixed = values.map((v) =>
    el.vr === 'DA' ? v.replace(/^(\d{4})\.(\d{2})\.(\d{2})$/, '$1$2$3') : v.replace(/^(\d{2}):(\d{2})(?::(\d{2}(\.\d{1,6})?))?$/, '$1$2$3'),
  );
  return fixed.every((v) => pattern.test(v)) ? { vr: el.vr, value: fixed } : undefined;
}

function keysOf(keys: readonly Key[], file: DataSet, ctx: InventContext): DataSet {
  const out: DataSet = new Map();
  let text = false; // a key needs the character set
  for (const [tag, type, invent] of keys) {
    const given = file.get(tag);
    const el = given && present(given) ? validTemporal(given) : given;
    if (el && present(el)) {
      out.set(tag, el);
      if (CHARSET_VRS.has(el.vr) && (el.value as unknown[]).some((v) => [...String(v)].some((c) => c.charCodeAt(0) > 0x7f))) text = true;
    } else if (type === '1' && invent) out.set(tag, invent(file, ctx));
    else if (type === '1' || type === '2') out.set(tag, { vr: given ? given.vr : vrOf(tag), value: [] });
  }
  // PS3.3 F.5: Specific Character Set (1C) when a key holds text beyond the default repertoire: the file's
  const charset = file.get(K.SpecificCharacterSet);
  if (text && charset && present(charset)) out.set(K.SpecificCharacterSet, charset);
  return out;
}

/** The keys of a PATIENT, STUDY or SERIES record (PS3.3 F.5.1–F.5.3) from a file of that entity. */
export function entityKeys(level: 'PATIENT' | 'STUDY' | 'SERIES', file: DataSet, ctx: InventContext): DataSet {
  return keysOf(level === 'PATIENT' ? PATIENT_KEYS : level === 'STUDY' ? STUDY_KEYS : SERIES_KEYS, file, ctx);
}

/** The keys of the record that references a file. */
export function leafKeys(type: LeafRecordType, file: DataSet, ctx: InventContext): DataSet {
  const out = keysOf(LEAF_KEYS[type], file, ctx);
  if (type === 'SR DOCUMENT' || type === 'KEY OBJECT DOC') {
    const modifiers = conceptModifiers(file);
    if (modifiers) out.set(K.ContentSequence, modifiers);
  }
  if (type === 'SR DOCUMENT' && !out.has(K.VerificationDateTime) && getStrings(file, K.VerificationFlag)[0] === 'VERIFIED') {
    // PS3.3 F.5.25: the most recent Verification DateTime of the Verifying Observer Sequence
    const times = getItems(file, K.VerifyingObserverSequence)
      .map((i) => getStrings(i, K.VerificationDateTime)[0] ?? '')
      .filter(Boolean)
      .sort();
    if (times.length) out.set(K.VerificationDateTime, { vr: 'DT', value: [times[times.length - 1]!] });
  }
  return out;
}

/**
 * Gives a file the keys its records need and it lacks, with the values its records hold, so that
 * a medium's files and its DICOMDIR agree (PS3.11 D.3.3; for a de-identified file, the Study Date,
 * Time and ID the profile emptied, PS3.15 E.1-1 Z: "or a dummy value"): a Type 1 key missing or
 * empty is invented, a Type 2 key absent is added empty, a date or time in the ACR-NEMA form is
 * written in the DICOM one. `numbers` place the file on the medium (an invented Patient ID, Study
 * ID, Series or Instance Number is its entity's number). Answers whether the file changed.
 */
export function fillRecordKeys(file: DataSet, sopClassUid: string, numbers: MediaNumbers): boolean {
  const lists = [
    [PATIENT_KEYS, numbers.patient],
    [STUDY_KEYS, numbers.study],
    [SERIES_KEYS, numbers.series],
    [LEAF_KEYS[leafRecordType(sopClassUid)], numbers.file],
  ] as const;
  let changed = false;
  for (const [keys, index] of lists) {
    for (const [tag, type, invent] of keys) {
      const given = file.get(tag);
      const el = given && present(given) ? validTemporal(given) : given;
      if (el && present(el)) {
        if (el !== given) {
          file.set(tag, el);
          changed = true;
        }
      } else if (type === '1' && invent) {
        file.set(tag, invent(file, { index }));
        changed = true;
      } else if (type === '2' && !given) {
        file.set(tag, { vr: vrOf(tag), value: [] });
        changed = true;
      }
    }
  }
  return changed;
}
