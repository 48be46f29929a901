/**
 * De-identification of a data set by the Basic Application Level Confidentiality Profile
 * (PS3.15 E.1, Table E.1-1, in deid-table.ts), optionally with the Retain Longitudinal Temporal
 * Information with Full Dates Option (E.3.6) and the Clean Descriptors Option (E.3.5). The table
 * applies at every level: in the items of every sequence that is kept. Private attributes go
 * (E.3.10 is not offered), curves and overlay planes with their data go, Patient's Name and
 * Patient ID become the pseudonym, UIDs are replaced consistently (uid-remap.ts), and the
 * attributes that say what was done are added (PS3.15 E.1.1; PS3.3 C.12.1). Pixel Data is not
 * part of what is given here (see rewrite-stream.ts): it is carried untouched, which is why an
 * instance with burned-in text is left out beforehand (burned-in.ts).
 */
import { type DataElement, type DataSet, type Tag, type VR, getStrings, STRING_VRS } from '../../../shared/dicom/dataset.js';
import { confidentialityProfile, type BasicAction, type ProfileRow } from './deid-table.js';
import type { UidRemapper } from './uid-remap.js';
import { LENGTH_TO_END } from '../../../shared/dicom/tags.js';

/** The options of the profile a user can choose. */
export interface DeidentifyOptions {
  /** Retain Longitudinal Temporal Information with Full Dates Option (PS3.15 E.3.6, code 113106). */
  retainDates?: boolean;
  /** Clean Descriptors Option (PS3.15 E.3.5, code 113105). */
  cleanDescriptors?: boolean;
}

/** What one export's de-identification shares across its instances. */
export interface DeidentifyContext extends DeidentifyOptions {
  uids: UidRemapper;
  /** Becomes Patient's Name and Patient ID. */
  pseudonym: string;
}

/** An action as applied, once a combination is resolved (U also keeps a reference sequence with its UIDs replaced). */
type Action = 'X' | 'Z' | 'D' | 'U' | 'K' | 'C';

const T = {
  SpecificCharacterSet: 0x00080005,
  ImageType: 0x00080008,
  SeriesDate: 0x00080021,
  ContentDate: 0x00080023,
  AcquisitionDateTime: 0x0008002a,
  SeriesTime: 0x00080031,
  ContentTime: 0x00080033,
  Modality: 0x00080060,
  CodeValue: 0x00080100,
  CodingSchemeDesignator: 0x00080102,
  CodeMeaning: 0x00080104,
  PatientName: 0x00100010,
  PatientID: 0x00100020,
  DeviceSerialNumber: 0x00181000,
  PatientIdentityRemoved: 0x00120062,
  DeidentificationMethod: 0x00120063,
  DeidentificationMethodCodeSequence: 0x00120064,
  LongitudinalTemporalInformationModified: 0x00280303,
  SharedFunctionalGroupsSequence: 0x52009229,
  WaveformSequence: 0x54000100,
} as const;

/** PS3.16 CID 7050 De-identification Method: the profile and the options applied. */
const METHOD_CODES = {
  basic: ['113100', 'Basic Application Confidentiality Profile'],
  retainDates: ['113106', 'Retain Longitudinal Temporal Information Full Dates Option'],
  cleanDescriptors: ['113105', 'Clean Descriptors Option'],
} as const;

/**
 * The dummy value of action D for a VR ("a non-zero length value that may be a dummy value and
 * consistent with the VR"): fixed, so it tells nothing. Binary values and sequences get no dummy
 * (an invented item or byte string would not be consistent with the IOD either): they are emptied.
 */
const DUMMY: Partial<Record<VR, string>> = {
  DA: '19000101',
  TM: '000000',
  DT: '19000101000000',
  IS: '0',
  DS: '0',
  AS: '000Y',
  UR: '',
  AE: 'REMOVED',
  CS: 'REMOVED',
  LO: 'REMOVED',
  SH: 'REMOVED',
  PN: 'REMOVED',
  ST: 'REMOVED',
  LT: 'REMOVED',
  UT: 'REMOVED',
  UC: 'REMOVED',
};

/** The attributes whose values Clean Descriptors looks for in a descriptor (PS3.15 E.3.5: "known not to contain identifying information"). */
const IDENTIFYING: readonly { tag: Tag; kind: 'name' | 'id' | 'date' | 'text' }[] = [
  { tag: 0x00100010, kind: 'name' },
  { tag: 0x00101001, kind: 'name' },
  { tag: 0x00101005, kind: 'name' },
  { tag: 0x00101060, kind: 'name' },
  { tag: 0x00080090, kind: 'name' },
  { tag: 0x00081050, kind: 'name' },
  { tag: 0x00081060, kind: 'name' },
  { tag: 0x00081070, kind: 'name' },
  { tag: 0x00081048, kind: 'name' },
  { tag: 0x00321032, kind: 'name' },
  { tag: 0x00100020, kind: 'id' },
  { tag: 0x00101000, kind: 'id' },
  { tag: 0x00080050, kind: 'id' },
  { tag: 0x00200010, kind: 'id' },
  { tag: 0x00380010, kind: 'id' },
  { tag: 0x00401001, kind: 'id' },
  { tag: 0x00101090, kind: 'id' },
  { tag: 0x00100030, kind: 'date' },
  { tag: 0x00080080, kind: 'text' },
  { tag: 0x00080081, kind: 'text' },
  { tag: 0x00101040, kind: 'text' },
  { tag: 0x00102154, kind: 'text' },
  { tag: 0x00081010, kind: 'text' },
  { tag: 0x00081040, kind: 'text' },
];

const TEXT_VRS: ReadonlySet<VR> = new Set<VR>(['LO', 'SH', 'ST', 'LT', 'UT', 'UC', 'PN']);

const norm = (s: string): string =>
  s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase();
const tokens = (s: string): string[] =>
  norm(s)
    .split(/[^A-Z0-9]+/)
    .filter((t) => t !== '');

/**
 * The identifying values of the original data set, as Clean Descriptors tests a descriptor
 * against them: the words of names and addresses, identifiers, the birth date in common spellings.
 */
class Identifiers {
  private readonly words = new Set<string>();
  private readonly compact: string[] = [];

  constructor(ds: DataSet) {
    for (const { tag, kind } of IDENTIFYING) {
      for (const value of getStrings(ds, tag)) {
        if (kind === 'name')
          for (const w of tokens(value)) {
            if (w.length >= 2) this.words.add(w);
          }
        else if (kind === 'text')
          for (const w of tokens(value)) {
            if (w.length >= 4) this.words.add(w);
          }
        else if (kind === 'id') {
          const c = tokens(value).join('');
          if (c.length >= 3) this.compact.push(c);
        } else if (/^\d{8}$/.test(value)) {
          const [y, m, d] = [value.slice(0, 4), value.slice(4, 6), value.slice(6, 8)];
          this.compact.push(`${y}${m}${d}`, `${d}${m}${y}`, `${m}${d}${y}`);
        }
      }
    }
  }

  /** Whether `text` holds one of the identifying values. */
  in(text: string): boolean {
    const t = tokens(text);
    if (t.some((w) => this.words.has(w))) return true;
    const joined = t.join('');
    return this.compact.some((c) => joined.includes(c));
  }
}

/** Whether the IOD makes this attribute Type 1 here, so that a combination with D takes D (PS3.15 Table E.1-1a). */
function typeOne(tag: Tag, top: DataSet): boolean {
  const enhanced = top.has(T.SharedFunctionalGroupsSequence);
  const waveform = top.has(T.WaveformSequence);
  switch (tag) {
    // PET Series Module (PS3.3 C.8.9.1)
    case T.SeriesDate:
    case T.SeriesTime:
      return getStrings(top, T.Modality)[0] === 'PT';
    // Multi-frame Functional Groups (C.7.6.16), SR Document General (C.17.2), Waveform Identification (C.10.8)
    case T.ContentDate:
    case T.ContentTime:
      return enhanced || waveform || getStrings(top, T.Modality)[0] === 'SR';
    // Enhanced MR/CT/XA Image Modules (C.8.13.1 and others): Type 1C for ORIGINAL or MIXED images
    case T.AcquisitionDateTime:
      return waveform || (enhanced && /^(ORIGINAL|MIXED)$/.test(getStrings(top, T.ImageType)[0] ?? ''));
    // Enhanced General Equipment Module (C.7.5.2)
    case T.DeviceSerialNumber:
      return enhanced;
    default:
      return false;
  }
}

/**
 * The action for one attribute: an option's action when the option is chosen, else the Basic
 * Profile's. A combination (X/Z, X/D, Z/D, X/Z/D: "X unless Z or D is needed to keep the IOD
 * conformant") resolves to D where the IOD needs a value ({@link typeOne}), else to Z: present and
 * empty is right for a Type 2 attribute and allowed for a Type 3 one (PS3.5 §7.4), where X would
 * break a Type 2 one (the RT General Plan's RT Plan Date is X/D), and neither carries anything of
 * the original. Attributes in nested items do not know their IOD's Type: they take Z.
 */
function actionOf(row: ProfileRow, tag: Tag, top: DataSet | undefined, ctx: DeidentifyContext): Action {
  if (ctx.retainDates && row.retainedWithDates) return 'K';
  if (ctx.cleanDescriptors && row.cleanedDescriptor) return 'C';
  return basicAction(row.basic, tag, top);
}

function basicAction(basic: BasicAction, tag: Tag, top: DataSet | undefined): Action {
  switch (basic) {
    case 'X/Z':
      return 'Z';
    case 'X/Z/U':
      return 'U';
    case 'X/D':
    case 'Z/D':
    case 'X/Z/D':
      return top && typeOne(tag, top) ? 'D' : 'Z';
    default:
      return basic;
  }
}

/** The group of a tag, and whether it holds a private, curve or overlay attribute. */
const groupOf = (t: Tag): number => t >>> 16;
const isPrivate = (t: Tag): boolean => (groupOf(t) & 1) === 1;
const isCurve = (t: Tag): boolean => (groupOf(t) & 0xff00) === 0x5000;
const isOverlay = (t: Tag): boolean => (groupOf(t) & 0xff01) === 0x6000;

function empty(el: DataElement): DataElement {
  if (el.vr === 'SQ') return { vr: 'SQ', value: [] };
  return { vr: el.vr, value: el.value instanceof Uint8Array ? new Uint8Array(0) : [] };
}

function dummy(el: DataElement, ctx: DeidentifyContext): DataElement {
  if (el.vr === 'UI') return replaceUids(el, ctx);
  const value = DUMMY[el.vr];
  if (value === undefined || el.value instanceof Uint8Array || el.vr === 'SQ') return empty(el);
  return { vr: el.vr, value: value === '' ? [] : [value] };
}

function replaceUids(el: DataElement, ctx: DeidentifyContext): DataElement {
  if (el.vr !== 'UI' || !Array.isArray(el.value)) return empty(el);
  return { vr: 'UI', value: (el.value as unknown[]).map((v) => ctx.uids.remap(String(v))) };
}

/** The text of a string element, for Clean Descriptors. */
function textOf(el: DataElement): string {
  return Array.isArray(el.value) ? (el.value as unknown[]).map(String).join(' ') : '';
}

class Walker {
  constructor(
    private readonly ctx: DeidentifyContext,
    private readonly ids: Identifiers,
    private readonly table = confidentialityProfile(),
  ) {}

  /** One data set: `top` is the instance's own (for the Type checks) when this is it, undefined for an item. */
  walk(ds: DataSet, top: DataSet | undefined, cleaning: boolean): DataSet {
    const out: DataSet = new Map();
    const overlaysWithData = new Set<number>();
    for (const t of ds.keys()) if (isOverlay(t) && (t & 0xffff) === 0x3000) overlaysWithData.add(groupOf(t));
    for (const [t, el] of ds) {
      // private attributes (PS3.15 E.1-1 "(gggg,eeee) where gggg is odd"), curves (50xx,xxxx)
      if (isPrivate(t) || isCurve(t)) continue;
      // group lengths and Length to End (retired, PS3.5 §7.2) would no longer be true once values change
      if ((t & 0xffff) === 0 || t === LENGTH_TO_END) continue;
      // Overlay Data and Comments are X; the rest of a plane without its data would describe nothing
      if (isOverlay(t) && (overlaysWithData.has(groupOf(t)) || (t & 0xffff) === 0x4000)) continue;
      const row = this.table.get(t);
      if (!row) {
        const kept = this.keep(el, cleaning);
        if (kept) out.set(t, kept);
        continue;
      }
      const result = this.apply(actionOf(row, t, top, this.ctx), row, t, el, top, cleaning);
      if (result) out.set(t, result);
    }
    return out;
  }

  /** An attribute the table does not list (K), its items walked; in a cleaned sequence its text is cleaned too. */
  private keep(el: DataElement, cleaning: boolean): DataElement | undefined {
    if (el.vr === 'SQ') return { vr: 'SQ', value: (el.value as DataSet[]).map((item) => this.walk(item, undefined, cleaning)) };
    if (cleaning && TEXT_VRS.has(el.vr) && this.ids.in(textOf(el))) return empty(el);
    return el;
  }

  private apply(action: Action, row: ProfileRow, t: Tag, el: DataElement, top: DataSet | undefined, cleaning: boolean): DataElement | undefined {
    switch (action) {
      case 'X':
        return undefined;
      case 'Z':
        return empty(el);
      case 'D':
        return dummy(el, this.ctx);
      case 'K':
        return this.keep(el, cleaning);
      case 'U':
        if (el.vr === 'SQ') return { vr: 'SQ', value: (el.value as DataSet[]).map((item) => this.walk(item, undefined, cleaning)) };
        return replaceUids(el, this.ctx);
      case 'C': {
        // C: kept when it holds none of the instance's identifying values; else the Basic Profile's action
        if (el.vr === 'SQ') return { vr: 'SQ', value: (el.value as DataSet[]).map((item) => this.walk(item, undefined, true)) };
        if (!STRING_VRS.has(el.vr) || !this.ids.in(textOf(el))) return el;
        const basic = basicAction(row.basic, t, top);
        return basic === 'C' || basic === 'K' ? empty(el) : this.apply(basic, row, t, el, top, cleaning);
      }
    }
  }
}

function code(value: string, meaning: string): DataSet {
  return new Map<Tag, DataElement>([
    [T.CodeValue, { vr: 'SH', value: [value] }],
    [T.CodingSchemeDesignator, { vr: 'SH', value: ['DCM'] }],
    [T.CodeMeaning, { vr: 'LO', value: [meaning] }],
  ]);
}

/**
 * The de-identified copy of an instance's data set (the input is not changed). Elements at or
 * after Pixel Data are not expected here; the caller passes them through or walks them with
 * {@link deidentifyTrailer}.
 */
export function deidentify(ds: DataSet, ctx: DeidentifyContext): DataSet {
  const out = new Walker(ctx, new Identifiers(ds)).walk(ds, ds, false);
  const methods = [
    METHOD_CODES.basic,
    ...(ctx.retainDates ? [METHOD_CODES.retainDates] : []),
    ...(ctx.cleanDescriptors ? [METHOD_CODES.cleanDescriptors] : []),
  ];
  out.set(T.PatientName, { vr: 'PN', value: [ctx.pseudonym] });
  out.set(T.PatientID, { vr: 'LO', value: [ctx.pseudonym] });
  out.set(T.PatientIdentityRemoved, { vr: 'CS', value: ['YES'] });
  out.set(T.DeidentificationMethod, { vr: 'LO', value: methods.map(([, meaning]) => meaning) });
  out.set(T.DeidentificationMethodCodeSequence, { vr: 'SQ', value: methods.map(([value, meaning]) => code(value, meaning)) });
  out.set(T.LongitudinalTemporalInformationModified, { vr: 'CS', value: [ctx.retainDates ? 'UNMODIFIED' : 'REMOVED'] });
  return out;
}

/**
 * The elements after Pixel Data (Digital Signatures, Data Set Trailing Padding, private groups),
 * de-identified by the same table; `original` is the instance's data set before Pixel Data.
 */
export function deidentifyTrailer(trailer: DataSet, original: DataSet, ctx: DeidentifyContext): DataSet {
  return new Walker(ctx, new Identifiers(original)).walk(trailer, original, false);
}

/** Why a pseudonym cannot be used, or undefined: it becomes Patient ID (LO) and Patient's Name (PN). */
export function pseudonymProblem(pseudonym: string): string | undefined {
  if (pseudonym.trim() === '') return 'the pseudonym is empty';
  if (pseudonym.length > 64) return `the pseudonym has ${pseudonym.length} characters; Patient ID holds at most 64`;
  if (!/^[\x20-\x7e]+$/.test(pseudonym) || pseudonym.includes('\\')) return 'the pseudonym may hold printable ASCII characters only, without a backslash';
  if (pseudonym !== pseudonym.trim()) return 'the pseudonym may not start or end with a space';
  return undefined;
}
