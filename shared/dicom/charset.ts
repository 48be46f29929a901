/**
 * Specific Character Set (0008,0005): decoding and encoding of text values
 * (PS3.3 C.12.1.1.2, PS3.5 §6.1). Decoding uses the WHATWG TextDecoder labels present in
 * Node (full ICU) and browsers; ISO 2022 code extensions are decoded by a small state machine
 * that maps each G0/G1 code element onto one of those decoders.
 */
import type { VR } from './dataset.js';
import { normaliseTerm } from './charset-terms.js';

/** VRs whose text is affected by the Specific Character Set (PS3.5 §6.1.2.3). */
export const CHARSET_VRS: ReadonlySet<VR> = new Set<VR>(['SH', 'LO', 'ST', 'LT', 'UC', 'UT', 'PN']);

type Decoder = InstanceType<typeof TextDecoder>;
const decoders = new Map<string, Decoder>();
function decoder(label: string): Decoder {
  let d = decoders.get(label);
  if (!d) {
    d = new TextDecoder(label);
    decoders.set(label, d);
  }
  return d;
}

/**
 * ISO 8859-1 exactly (bytes 0x80–0x9F are C1 controls; the WHATWG `latin1` label would be
 * windows-1252). Also the lenient reading of the default repertoire, as DCMTK and pydicom do.
 */
export function decodeLatin1(bytes: Uint8Array): string {
  let out = '';
  if (bytes.length <= 16) {
    for (let i = 0; i < bytes.length; i++) out += String.fromCharCode(bytes[i]!);
    return out;
  }
  for (let i = 0; i < bytes.length; i += 8192) {
    out += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192) as unknown as number[]);
  }
  return out;
}

type Decode = (bytes: Uint8Array) => string;
const byLabel =
  (label: string): Decode =>
  (b) =>
    decoder(label).decode(b);

/** JIS X 0208 / 0212 in a G0 code element: each byte pair shifted to EUC-JP (+0x80, 0x8F prefix for 0212). */
function decodeJis(bytes: Uint8Array, x0212: boolean): string {
  const euc: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b <= 0x20 || b === 0x7f || i + 1 >= bytes.length) {
      euc.push(b);
      continue;
    }
    if (x0212) euc.push(0x8f);
    euc.push(b | 0x80, bytes[++i]! | 0x80);
  }
  return decoder('euc-jp').decode(new Uint8Array(euc));
}

/** One code element of PS3.3 Tables C.12-3 and C.12-4. */
interface CodeElement {
  /** 0 for G0 (bytes 0x21–0x7E), 1 for G1 (bytes 0xA1–0xFE). */
  g: 0 | 1;
  decode: Decode;
  /** A multi-byte G0 set: delimiters inside it are halves of characters, not delimiters. */
  multiByteG0?: boolean;
}

const ASCII: CodeElement = { g: 0, decode: decodeLatin1 };
const ROMAJI: CodeElement = { g: 0, decode: byLabel('shift_jis') }; // JIS X 0201 Romaji (ISO-IR 14)
const JIS_X_0208: CodeElement = { g: 0, decode: (b) => decodeJis(b, false), multiByteG0: true };
const JIS_X_0212: CodeElement = { g: 0, decode: (b) => decodeJis(b, true), multiByteG0: true };
const LATIN1: CodeElement = { g: 1, decode: decodeLatin1 };
const g1 = (label: string): CodeElement => ({ g: 1, decode: byLabel(label) });
const KATAKANA = g1('shift_jis'); // JIS X 0201 Katakana (ISO-IR 13)
const KS_X_1001 = g1('euc-kr');
const GB2312 = g1('gb18030');

/** The single-byte sets, keyed by ISO-IR number: escape sequence final byte and G1 set (Table C.12-3). */
const SINGLE_BYTE: Record<string, { esc: string; element: CodeElement }> = {
  '100': { esc: '\x1b-A', element: LATIN1 },
  '101': { esc: '\x1b-B', element: g1('iso-8859-2') },
  '109': { esc: '\x1b-C', element: g1('iso-8859-3') },
  '110': { esc: '\x1b-D', element: g1('iso-8859-4') },
  '144': { esc: '\x1b-L', element: g1('iso-8859-5') },
  '127': { esc: '\x1b-G', element: g1('iso-8859-6') },
  '126': { esc: '\x1b-F', element: g1('iso-8859-7') },
  '138': { esc: '\x1b-H', element: g1('iso-8859-8') },
  '148': { esc: '\x1b-M', element: g1('iso-8859-9') },
  '203': { esc: '\x1b-b', element: g1('iso-8859-15') },
  '166': { esc: '\x1b-T', element: g1('windows-874') }, // TIS 620-2533
  '13': { esc: '\x1b)I', element: KATAKANA },
};

/** Every escape sequence of Tables C.12-3 and C.12-4, with the element it invokes. */
const ESCAPES: Array<[number[], CodeElement]> = [
  ['\x1b(B', ASCII],
  ['\x1b(J', ROMAJI],
  ['\x1b$B', JIS_X_0208],
  ['\x1b$(D', JIS_X_0212],
  ['\x1b$)C', KS_X_1001],
  ['\x1b$)A', GB2312],
  ...Object.values(SINGLE_BYTE).map((s): [string, CodeElement] => [s.esc, s.element]),
].map(([s, e]) => [[...(s as string)].map((c) => c.charCodeAt(0)), e as CodeElement]);

/** Normalises a defined term, forgiving common misspellings (`ISO-IR 100`, `ISO_IR_100`, `UTF-8`). */
const normalised = new Map<string, string>();
function normalise(term: string): string {
  let n = normalised.get(term);
  if (n === undefined) {
    n = normaliseTerm(term);
    if (normalised.size < 256) normalised.set(term, n);
  }
  return n;
}

/** The decoder for a whole value of a character set used without code extensions. */
function wholeValueDecoder(term: string): Decode {
  if (term === 'ISO_IR 192') return byLabel('utf-8');
  if (term === 'GB18030') return byLabel('gb18030');
  if (term === 'GBK' || term === 'ISO 2022 GBK') return byLabel('gbk');
  const m = /^ISO(?:_| 2022 )IR (\d+)$/.exec(term);
  if (m?.[1] === '13') return byLabel('shift_jis'); // Romaji in G0, Katakana in G1
  if (m?.[1] === '149') return byLabel('euc-kr');
  if (m?.[1] === '58') return byLabel('gb18030');
  const single = m ? SINGLE_BYTE[m[1]!] : undefined;
  return single ? single.element.decode : decodeLatin1;
}

/** The G0 and G1 sets invoked at the start of every value and after every delimiter (PS3.5 §6.1.2.5.3). */
function initialState(term: string): [CodeElement, CodeElement] {
  const m = /^ISO(?:_| 2022 )IR (\d+)$/.exec(term);
  if (m?.[1] === '13') return [ROMAJI, KATAKANA];
  const single = m ? SINGLE_BYTE[m[1]!] : undefined;
  return [ASCII, single ? single.element : LATIN1];
}

const TEXT_DELIMITERS = new Set([0x0a, 0x0c, 0x0d, 0x09]);
const MULTI_VALUE_DELIMITERS = new Set([...TEXT_DELIMITERS, 0x5c]);
const PN_DELIMITERS = new Set([...MULTI_VALUE_DELIMITERS, 0x5e, 0x3d]);

function delimitersOf(vr: VR): ReadonlySet<number> {
  if (vr === 'PN') return PN_DELIMITERS;
  return vr === 'LT' || vr === 'ST' || vr === 'UT' ? TEXT_DELIMITERS : MULTI_VALUE_DELIMITERS;
}

function matchEscape(bytes: Uint8Array, at: number): [number, CodeElement] | undefined {
  outer: for (const [seq, element] of ESCAPES) {
    for (let k = 0; k < seq.length; k++) if (bytes[at + k] !== seq[k]) continue outer;
    return [seq.length, element];
  }
  return undefined;
}

/** Decodes bytes under a G0/G1 pair: runs of bytes below 0x80 through G0, the rest through G1. */
function decodeRuns(bytes: Uint8Array, g0: CodeElement, g1: CodeElement): string {
  let out = '';
  let start = 0;
  while (start < bytes.length) {
    const high = bytes[start]! >= 0x80;
    let end = start + 1;
    while (end < bytes.length && bytes[end]! >= 0x80 === high) end++;
    out += (high ? g1 : g0).decode(bytes.subarray(start, end));
    start = end;
  }
  return out;
}

/** ISO 2022 code extensions (PS3.5 §6.1.2.5): escape sequences switch G0 or G1 within a value. */
function decodeWithExtensions(bytes: Uint8Array, term: string, delimiters: ReadonlySet<number>): string {
  const [initialG0, initialG1] = initialState(term);
  let g0 = initialG0;
  let g1Set = initialG1;
  let out = '';
  let segment = 0;
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i]!;
    if (b === 0x1b) {
      const hit = matchEscape(bytes, i);
      if (hit) {
        out += decodeRuns(bytes.subarray(segment, i), g0, g1Set);
        if (hit[1].g === 0) g0 = hit[1];
        else g1Set = hit[1];
        i += hit[0];
        segment = i;
        continue;
      }
    } else if (delimiters.has(b) && !g0.multiByteG0 && (g0 !== initialG0 || g1Set !== initialG1)) {
      out += decodeRuns(bytes.subarray(segment, i), g0, g1Set);
      g0 = initialG0;
      g1Set = initialG1;
      segment = i;
    }
    i += g0.multiByteG0 && b > 0x20 && b !== 0x7f ? 2 : 1;
  }
  return out + decodeRuns(bytes.subarray(segment), g0, g1Set);
}

/**
 * Decodes a text value (the whole value field, backslashes included) with the data set's
 * Specific Character Set. VRs outside {@link CHARSET_VRS} use the default repertoire.
 * Unknown defined terms fall back to the default repertoire, read leniently as ISO 8859-1.
 */
export function decodeText(bytes: Uint8Array, specificCharacterSet: string[], vr: VR): string {
  const term = normalise(specificCharacterSet[0] ?? '');
  if (!CHARSET_VRS.has(vr) || specificCharacterSet.length === 0) return decodeLatin1(bytes);
  // Stand-alone sets and values without escapes decode in one call (PS3.5 §6.1.2.5.4 d).
  if (term === 'ISO_IR 192' || term === 'GB18030' || term === 'GBK' || bytes.indexOf(0x1b) < 0) {
    return wholeValueDecoder(term)(bytes);
  }
  return decodeWithExtensions(bytes, term, delimitersOf(vr));
}

const utf8 = new TextEncoder();

/**
 * Encodes text for a Specific Character Set, or returns undefined when the set cannot hold
 * it. Encoding supports the default repertoire (ISO_IR 6), ISO_IR 100 (Latin-1) and
 * ISO_IR 192 (UTF-8); under any other set only ASCII text can be encoded.
 */
export function tryEncodeText(text: string, specificCharacterSet: string[]): Uint8Array | undefined {
  if (normalise(specificCharacterSet[0] ?? '') === 'ISO_IR 192') return utf8.encode(text);
  if (!canEncodeText(text, specificCharacterSet)) return undefined;
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

/** Whether {@link tryEncodeText} can encode this text for this Specific Character Set (nothing is encoded). */
export function canEncodeText(text: string, specificCharacterSet: string[]): boolean {
  const term = normalise(specificCharacterSet[0] ?? '');
  if (term === 'ISO_IR 192') return true;
  let max = 0;
  for (let i = 0; i < text.length; i++) max = Math.max(max, text.charCodeAt(i));
  const latin1 = term === 'ISO_IR 100' || term === 'ISO 2022 IR 100';
  return max < 0x80 || (latin1 && max <= 0xff);
}

/**
 * Encodes text for a Specific Character Set. Text the set cannot hold is encoded as UTF-8:
 * the caller must then declare `ISO_IR 192` (encodeDataSet in codec.ts does this, replacing
 * the data set's Specific Character Set in the bytes it writes).
 */
export function encodeText(text: string, specificCharacterSet: string[]): Uint8Array {
  return tryEncodeText(text, specificCharacterSet) ?? utf8.encode(text);
}
