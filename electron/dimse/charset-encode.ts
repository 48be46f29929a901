/**
 * Text written in the Specific Character Set a node expects (PS3.3 C.12.1.1.2, PS3.5 §6.1).
 * Single sets are encoded by iconv-lite's codecs; iconv-lite has no ISO 2022 codec, so the code
 * extensions of PS3.5 §6.1.2.5 (escape sequences that designate a code element into G0 or G1,
 * PS3.3 Tables C.12-3 and C.12-4) are written here on top of its EUC codecs: JIS X 0208 and
 * JIS X 0212 are EUC-JP's bytes without their high bit, KS X 1001 and GB 2312 are EUC-KR's and
 * EUC-CN's bytes as they are. Decoding stays in shared/dicom/charset.ts.
 */
import iconv from 'iconv-lite';
import { SINGLE_VALUE_TEXT_VRS, type DataSet, type VR } from '../../shared/dicom/dataset.js';
import { CHARSET_VRS } from '../../shared/dicom/charset.js';
import { normaliseTerm } from '../../shared/dicom/charset-terms.js';
import { keywordOf } from '../../shared/dicom/dictionary.js';

/** Text that the node's character set cannot hold; the message is one sentence. */
export class CharacterSetError extends Error {
  constructor(
    message: string,
    readonly characters: string[],
  ) {
    super(message);
    this.name = 'CharacterSetError';
  }
}

/** One code element: the escape sequence that designates it and how one character is written in it. */
interface CodeElement {
  g: 0 | 1;
  escape: number[];
  /** The bytes of one character (a code point), or undefined when the element lacks it. */
  encode(ch: string): number[] | undefined;
  multiByte?: boolean;
}

const bytesOf = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

/** One character through an iconv-lite codec, undefined unless it comes back unchanged (iconv-lite writes '?' for what it lacks). */
function viaIconv(codec: string, ch: string): number[] | undefined {
  const b = iconv.encode(ch, codec);
  return iconv.decode(b, codec) === ch ? [...b] : undefined;
}

/** Bytes within 0xA1–0xFE, the 94-character rows of the ISO 2022 multi-byte sets. */
const in94 = (b: number[]): boolean => b.every((x) => x >= 0xa1 && x <= 0xfe);

const ASCII: CodeElement = { g: 0, escape: bytesOf('\x1b(B'), encode: (ch) => (ch.charCodeAt(0) < 0x80 ? [ch.charCodeAt(0)] : undefined) };
/** JIS X 0201 Romaji (ISO-IR 14): ASCII but for the yen sign and the overline. */
const ROMAJI: CodeElement = {
  g: 0,
  escape: bytesOf('\x1b(J'),
  encode: (ch) => (ch === '\u00a5' ? [0x5c] : ch === '\u203e' ? [0x7e] : ASCII.encode(ch)),
};
/** JIS X 0201 Katakana (ISO-IR 13): the half-width katakana U+FF61–U+FF9F at 0xA1–0xDF. */
const KATAKANA: CodeElement = {
  g: 1,
  escape: bytesOf('\x1b)I'),
  encode: (ch) => {
    const c = ch.codePointAt(0)!;
    return c >= 0xff61 && c <= 0xff9f ? [c - 0xff61 + 0xa1] : undefined;
  },
};
const JIS_X_0208: CodeElement = {
  g: 0,
  escape: bytesOf('\x1b$B'),
  multiByte: true,
  encode: (ch) => {
    const b = viaIconv('euc-jp', ch);
    return b?.length === 2 && in94(b) ? b.map((x) => x & 0x7f) : undefined;
  },
};
const JIS_X_0212: CodeElement = {
  g: 0,
  escape: bytesOf('\x1b$(D'),
  multiByte: true,
  encode: (ch) => {
    const b = viaIconv('euc-jp', ch);
    return b?.length === 3 && b[0] === 0x8f && in94(b.slice(1)) ? b.slice(1).map((x) => x & 0x7f) : undefined;
  },
};
const KS_X_1001: CodeElement = {
  g: 1,
  escape: bytesOf('\x1b$)C'),
  multiByte: true,
  encode: (ch) => {
    const b = viaIconv('euc-kr', ch);
    return b?.length === 2 && in94(b) ? b : undefined;
  },
};
const GB_2312: CodeElement = {
  g: 1,
  escape: bytesOf('\x1b$)A'),
  multiByte: true,
  encode: (ch) => {
    const b = viaIconv('gb2312', ch);
    return b?.length === 2 && in94(b) ? b : undefined;
  },
};

/** The upper half of an ISO 8859 part (PS3.3 Table C.12-3): one byte from 0xA0. */
function g1Set(codec: string, final: string): CodeElement {
  return {
    g: 1,
    escape: bytesOf(`\x1b-${final}`),
    encode: (ch) => {
      const b = viaIconv(codec, ch);
      return b?.length === 1 && b[0]! >= 0xa0 ? b : undefined;
    },
  };
}

/** The single-byte sets by ISO-IR number: codec and the final byte of their G1 escape sequence. */
const SINGLE_BYTE: Record<string, CodeElement> = {
  '100': g1Set('iso-8859-1', 'A'),
  '101': g1Set('iso-8859-2', 'B'),
  '109': g1Set('iso-8859-3', 'C'),
  '110': g1Set('iso-8859-4', 'D'),
  '144': g1Set('iso-8859-5', 'L'),
  '127': g1Set('iso-8859-6', 'G'),
  '126': g1Set('iso-8859-7', 'F'),
  '138': g1Set('iso-8859-8', 'H'),
  '148': g1Set('iso-8859-9', 'M'),
  '203': g1Set('iso-8859-15', 'b'),
  '166': g1Set('tis620', 'T'),
  '13': KATAKANA,
};

/** The code elements a term brings (PS3.3 Tables C.12-3 and C.12-4). */
function elementsOf(term: string): CodeElement[] {
  if (term === '' || term === 'ISO 2022 IR 6') return [ASCII];
  const ir = /^ISO(?:_| 2022 )IR (\d+)$/.exec(term)?.[1];
  switch (ir) {
    case '13':
      return [ROMAJI, KATAKANA];
    case '87':
      return [JIS_X_0208];
    case '159':
      return [JIS_X_0212];
    case '149':
      return [KS_X_1001];
    case '58':
      return [GB_2312];
    default: {
      const single = ir ? SINGLE_BYTE[ir] : undefined;
      if (!single) throw new CharacterSetError(`"${term}" is not a character set Priors can write`, []);
      return [ASCII, single];
    }
  }
}

const TEXT_DELIMITERS = new Set([0x0a, 0x0c, 0x0d, 0x09]);
const VALUE_DELIMITERS = new Set([...TEXT_DELIMITERS, 0x5c]);
const PN_DELIMITERS = new Set([...VALUE_DELIMITERS, 0x5e, 0x3d]);

/** Where the initial code elements are active again (PS3.5 §6.1.2.5.3). */
function delimitersOf(vr: VR): ReadonlySet<number> {
  if (vr === 'PN') return PN_DELIMITERS;
  return SINGLE_VALUE_TEXT_VRS.has(vr) ? TEXT_DELIMITERS : VALUE_DELIMITERS;
}

/**
 * ISO 2022 code extensions (PS3.5 §6.1.2.5): each character goes into the first element that
 * holds it (the active G1, the active G0, then the elements in the order of the terms), its
 * escape sequence written when it is not active; before each delimiter and at the end of the
 * value the initial G0 is designated again (PS3.5 §6.1.2.5.3), G1 returning to its initial set.
 */
function encodeWithExtensions(text: string, terms: string[], vr: VR, missing: string[]): number[] {
  const elements = terms.flatMap(elementsOf);
  const first = elementsOf(terms[0] ?? '');
  // a multi-byte set is always designated by its escape sequence, even when value 1 names it
  const initialG0 = first.find((e) => e.g === 0 && !e.multiByte) ?? ASCII;
  const initialG1 = first.find((e) => e.g === 1 && !e.multiByte);
  const delimiters = delimitersOf(vr);
  let g0 = initialG0;
  let g1 = initialG1;
  const out: number[] = [];
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code < 0x80) {
      if (g0.multiByte || (delimiters.has(code) && g0 !== initialG0)) {
        out.push(...initialG0.escape);
        g0 = initialG0;
      }
      if (delimiters.has(code)) g1 = initialG1;
      out.push(code);
      continue;
    }
    let written = false;
    for (const el of [g1, g0, ...elements]) {
      const b = el?.encode(ch);
      if (!el || !b) continue;
      if (el.g === 0 && el !== g0) {
        out.push(...el.escape);
        g0 = el;
      }
      if (el.g === 1 && el !== g1) {
        out.push(...el.escape);
        g1 = el;
      }
      out.push(...b);
      written = true;
      break;
    }
    if (!written) missing.push(ch);
  }
  if (g0 !== initialG0) out.push(...initialG0.escape);
  return out;
}

/** A set used without code extensions, one character at a time. */
function encodeWhole(text: string, term: string, missing: string[]): number[] {
  if (term === 'ISO_IR 192')
    return [
      ...new TextEncoder().encode(
        text.replace(/[\ud800-\udfff]/gu, (c) => {
          missing.push(c);
          return '';
        }),
      ),
    ];
  const codec = term === 'GB18030' ? 'gb18030' : term === 'GBK' ? 'gbk' : undefined;
  const elements = codec ? [] : elementsOf(term);
  const out: number[] = [];
  for (const ch of text) {
    const b = codec ? viaIconv(codec, ch) : elements.map((e) => e.encode(ch)).find((x) => x !== undefined);
    if (b) out.push(...b);
    else missing.push(ch);
  }
  return out;
}

/** Whether a Specific Character Set value uses ISO 2022 code extensions (several values, or an ISO 2022 term). */
function usesExtensions(terms: readonly string[]): boolean {
  return terms.length > 1 || terms[0]!.startsWith('ISO 2022');
}

/**
 * Writes a text value (values joined with backslashes) in a Specific Character Set. Throws a
 * {@link CharacterSetError} listing the characters the set lacks.
 */
export function encodeText(text: string, specificCharacterSet: readonly string[], vr: VR): Uint8Array {
  const terms = specificCharacterSet.length ? specificCharacterSet.map(normaliseTerm) : [''];
  const missing: string[] = [];
  const out = usesExtensions(terms) ? encodeWithExtensions(text, terms, vr, missing) : encodeWhole(text, terms[0]!, missing);
  if (missing.length) {
    throw new CharacterSetError(`"${text}" has ${quoteAll(missing)}, which ${terms.join('\\') || 'the default repertoire'} cannot hold`, [...new Set(missing)]);
  }
  return Uint8Array.from(out);
}

function quoteAll(chars: string[]): string {
  return [...new Set(chars)]
    .slice(0, 8)
    .map((c) => `"${c}"`)
    .join(', ');
}

/**
 * The identifier as it goes to a node expecting `specificCharacterSet`: Specific Character Set
 * (0008,0005) set to it, and every value in a VR it governs (PS3.5 §6.1.2.3) written in it
 * as bytes. Throws a {@link CharacterSetError} naming the attribute and the characters the set
 * lacks, before anything is sent. Items of sequences inherit the set (PS3.5 §7.5.3).
 */
export function encodeIdentifier(identifier: DataSet, specificCharacterSet: readonly string[]): DataSet {
  const out: DataSet = new Map();
  for (const [tag, el] of identifier) {
    if (tag === 0x00080005) continue;
    if (el.vr === 'SQ' && Array.isArray(el.value)) {
      out.set(tag, { vr: 'SQ', value: (el.value as DataSet[]).map((item) => withoutCharacterSet(encodeIdentifier(item, specificCharacterSet))) });
      continue;
    }
    if (!CHARSET_VRS.has(el.vr) || !Array.isArray(el.value) || el.value.length === 0) {
      out.set(tag, el);
      continue;
    }
    const text = (el.value as unknown[]).map(String).join('\\');
    try {
      out.set(tag, { vr: el.vr, value: encodeText(text, specificCharacterSet, el.vr) });
    } catch (err) {
      if (!(err instanceof CharacterSetError)) throw err;
      throw new CharacterSetError(`${keywordOf(tag) ?? tag.toString(16)} ${err.message}`, err.characters);
    }
  }
  out.set(0x00080005, { vr: 'CS', value: [...specificCharacterSet] });
  return out;
}

function withoutCharacterSet(ds: DataSet): DataSet {
  ds.delete(0x00080005);
  return ds;
}
