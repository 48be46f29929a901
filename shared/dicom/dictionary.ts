/**
 * The DICOM data dictionary (PS3.6 Table 6-1, PS3.7 Table E.1-1, PS3.6 Table 7-1):
 * keyword ↔ tag ↔ VR. The entries come from dcmjs's packed dictionary (its `dcmjs/dictionary`
 * export: pure data, without the rest of dcmjs), in the compact form of dictionary-source.ts;
 * the lookup maps are built once, on first use. The VRs of the command group have a small
 * table of their own, so that encoding and decoding DIMSE commands never needs the dictionary.
 */
import { dictionaryLines } from './dictionary-source.js';
import { tag as makeTag, formatTag, type Tag, type VR } from './dataset.js';

interface Entry {
  keyword: string;
  vr: VR;
}

/**
 * Entries dcmjs 0.51 lacks or has wrong, as PS3.6 (2022+) and PS3.10 §7.1 give them: the newer
 * file meta elements, misspelt keywords, VRs since corrected. Superseded keywords still resolve.
 */
const CORRECTIONS: Array<[Tag, string, VR]> = [
  [0x00020026, 'SourcePresentationAddress', 'UR'],
  [0x00020027, 'SendingPresentationAddress', 'UR'],
  [0x00020028, 'ReceivingPresentationAddress', 'UR'],
  [0x00020031, 'RTVMetaInformationVersion', 'OB'],
  [0x00020032, 'RTVCommunicationSOPClassUID', 'UI'],
  [0x00020033, 'RTVCommunicationSOPInstanceUID', 'UI'],
  [0x00020035, 'RTVSourceIdentifier', 'OB'],
  [0x00020036, 'RTVFlowIdentifier', 'OB'],
  [0x00020037, 'RTVFlowRTPSamplingRate', 'UL'],
  [0x00020038, 'RTVFlowActualFrameDuration', 'FD'],
  [0x00221642, 'NumberOfBscansPerFrame', 'UL'],
  [0x0040a803, 'NumberOfTableColumns', 'UL'],
  [0x00660040, 'LongPrimitivePointIndexList', 'OL'],
  [0x00660041, 'LongTrianglePointIndexList', 'OL'],
  [0x00660042, 'LongEdgePointIndexList', 'OL'],
  [0x00660043, 'LongVertexPointIndexList', 'OL'],
  [0x006862f0, 'ViewOrientationModifierCodeSequence', 'SQ'],
  [0x00701305, 'Plane', 'FD'],
  [0x00701306, 'PlaneNormal', 'FD'],
  [0x0070150c, 'NumberOfVolumetricCurvePoints', 'UL'],
  [0x00760034, 'ComponentTypeCodeSequence', 'SQ'],
  [0x300a0131, 'AverageBeamDosePointSourceToExternalContourDistance', 'FL'],
  [0x40101029, 'ThreatDetectionAlgorithmAndVersion', 'LO'],
];

/** VRs of the command set (group 0000): PS3.7 Table E.1-1 and, retired, Table E.2-1. */
const COMMAND_VRS = new Map<Tag, VR>([
  [0x00000000, 'UL'],
  [0x00000001, 'UL'],
  [0x00000002, 'UI'],
  [0x00000003, 'UI'],
  [0x00000010, 'SH'],
  [0x00000100, 'US'],
  [0x00000110, 'US'],
  [0x00000120, 'US'],
  [0x00000200, 'AE'],
  [0x00000300, 'AE'],
  [0x00000400, 'AE'],
  [0x00000600, 'AE'],
  [0x00000700, 'US'],
  [0x00000800, 'US'],
  [0x00000850, 'US'],
  [0x00000860, 'US'],
  [0x00000900, 'US'],
  [0x00000901, 'AT'],
  [0x00000902, 'LO'],
  [0x00000903, 'US'],
  [0x00001000, 'UI'],
  [0x00001001, 'UI'],
  [0x00001002, 'US'],
  [0x00001005, 'AT'],
  [0x00001008, 'US'],
  [0x00001020, 'US'],
  [0x00001021, 'US'],
  [0x00001022, 'US'],
  [0x00001023, 'US'],
  [0x00001030, 'AE'],
  [0x00001031, 'US'],
  [0x00004000, 'LT'],
  [0x00004010, 'LT'],
  [0x00005010, 'SH'],
  [0x00005020, 'SH'],
  [0x00005110, 'LT'],
  [0x00005120, 'LT'],
  [0x00005130, 'CS'],
  [0x00005140, 'CS'],
  [0x00005150, 'CS'],
  [0x00005160, 'CS'],
  [0x00005170, 'IS'],
  [0x00005180, 'CS'],
  [0x00005190, 'CS'],
  [0x000051a0, 'CS'],
  [0x000051b0, 'US'],
]);

let byTag: Map<Tag, Entry> | undefined;
let byKeyword: Map<string, Tag> | undefined;

function build(): void {
  const tags = new Map<Tag, Entry>();
  const keywords = new Map<string, Tag>();
  const retired: Array<[string, Tag]> = [];
  for (const line of dictionaryLines().split('\n')) {
    const t = parseInt(line.slice(0, 8), 16);
    const vr = line.slice(9, 11) as VR;
    const isRetired = line.charCodeAt(12) === 0x2a; // '*'
    const keyword = line.slice(isRetired ? 13 : 12);
    tags.set(t, { keyword, vr });
    if (isRetired) retired.push([keyword, t]);
    else keywords.set(keyword, t);
  }
  // Retired keywords never shadow current ones (PS3.6 keeps keywords unique, but be safe).
  for (const [keyword, t] of retired) if (!keywords.has(keyword)) keywords.set(keyword, t);
  for (const [t, keyword, vr] of CORRECTIONS) {
    tags.set(t, { keyword, vr });
    keywords.set(keyword, t);
  }
  byTag = tags;
  byKeyword = keywords;
}

function tagMap(): Map<Tag, Entry> {
  if (!byTag) build();
  return byTag!;
}

function keywordMap(): Map<string, Tag> {
  if (!byKeyword) build();
  return byKeyword!;
}

/**
 * The dictionary key of a tag: repeating groups 50xx (curves, retired) and 60xx (overlays)
 * map to their first group (PS3.5 §7.6).
 */
function canonical(t: Tag): Tag {
  const group = t >>> 16;
  const high = group & 0xff00;
  if ((high === 0x5000 || high === 0x6000) && (group & 1) === 0) {
    return ((high << 16) | (t & 0xffff)) >>> 0;
  }
  return t;
}

/** The tag of a keyword (`'PatientName'` → 0x00100010). Throws when the keyword is unknown. */
export function tagOf(keyword: string): Tag {
  const t = keywordMap().get(keyword);
  if (t === undefined) throw new Error(`Unknown DICOM keyword '${keyword}'`);
  return t;
}

/** The keyword of a tag, or undefined for private and unknown tags. */
export function keywordOf(t: Tag): string | undefined {
  return tagMap().get(canonical(t))?.keyword;
}

/**
 * The VR of a tag as implicit VR data would carry it: group lengths (gggg,0000) are UL,
 * private creators (odd group, 0010–00FF) are LO (PS3.5 §7.8.1), unknown and other private
 * tags are UN.
 */
export function vrOf(t: Tag): VR {
  const element = t & 0xffff;
  if (element === 0) return 'UL';
  const group = t >>> 16;
  if (group & 1) {
    return group > 0x0007 && group !== 0xffff && element >= 0x0010 && element <= 0x00ff ? 'LO' : 'UN';
  }
  if (group === 0) return COMMAND_VRS.get(t) ?? 'UN';
  return tagMap().get(canonical(t))?.vr ?? 'UN';
}

/**
 * Reads a tag written as a keyword (`PatientName`), eight hex digits (`00100010`) or the
 * standard's form with or without parentheses (`(0010,0010)`, `0010,0010`).
 * Throws an Error naming the text when it is none of these.
 */
export function parseTagOrKeyword(text: string): Tag {
  const s = text.trim();
  const m = /^\(?\s*([0-9a-f]{4})\s*,?\s*([0-9a-f]{4})\s*\)?$/i.exec(s);
  if (m) return makeTag(parseInt(m[1]!, 16), parseInt(m[2]!, 16));
  if (/^[A-Za-z][A-Za-z0-9]*$/.test(s)) return tagOf(s);
  throw new Error(`Not a DICOM tag or keyword: '${text}'`);
}

/** A tag for messages: `PatientName (0010,0010)`, or just `(0009,1001)` when it has no keyword. */
export function describeTag(t: Tag): string {
  const keyword = keywordOf(t);
  return keyword ? `${keyword} ${formatTag(t)}` : formatTag(t);
}
