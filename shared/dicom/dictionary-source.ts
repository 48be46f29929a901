/**
 * The data dictionary that the lookups in dictionary.ts are built from, as compact lines:
 * `ggggeeee VR Keyword`, with `*` before the keyword of a retired attribute. They are made from
 * dcmjs's packed dictionary (PS3.6, 1 MB of pure data) on the first lookup that needs them.
 * The `priors` command's bundle replaces this module with one that reads the same lines from a
 * file beside the bundle (scripts/bundle.mjs), made there by {@link dictionaryLines}: a command
 * then neither parses nor walks the packed data, and one that needs no lookup reads nothing.
 */
import dcmjsDictionary from 'dcmjs/dictionary';
import type { VR } from './dataset.js';

const VRS = new Set<string>([
  'AE',
  'AS',
  'AT',
  'CS',
  'DA',
  'DS',
  'DT',
  'FL',
  'FD',
  'IS',
  'LO',
  'LT',
  'OB',
  'OD',
  'OF',
  'OL',
  'OV',
  'OW',
  'PN',
  'SH',
  'SL',
  'SQ',
  'SS',
  'ST',
  'SV',
  'TM',
  'UC',
  'UI',
  'UL',
  'UN',
  'UR',
  'US',
  'UT',
  'UV',
]);

/**
 * dcmjs's compound VRs, resolved to what implicit VR data uses: pixel, overlay and waveform
 * data are OW in Implicit VR Little Endian (PS3.5 Annex A.1), `US or SS` values are read as US
 * (the sign depends on Pixel Representation, which a dictionary cannot know), LUT Data as OW,
 * directory offsets as UL.
 */
const COMPOUND_VRS: Record<string, VR> = { ox: 'OW', xs: 'US', lt: 'OW', up: 'UL' };

/** The dictionary's lines (see the module's comment), one per public attribute. */
export function dictionaryLines(): string {
  const lines: string[] = [];
  for (const [key, entry] of Object.entries(dcmjsDictionary)) {
    if (entry.version === 'PrivateTag' || !entry.name || entry.name.endsWith('undefined')) continue;
    // `(gggg,eeee)` or a repeating group `(6000-60FF,eeee)`: the range is keyed by its first group.
    const m = /^\(([0-9A-F]{4})(?:-[0-9A-F]{4})?,([0-9A-F]{4})\)$/i.exec(key);
    if (!m) continue; // generic group lengths and private creators are computed in vrOf
    const raw = entry.vr ?? 'UN';
    const vr: VR = VRS.has(raw) ? (raw as VR) : (COMPOUND_VRS[raw] ?? 'UN');
    const retired = entry.name.startsWith('RETIRED_');
    lines.push(`${m[1]!.toLowerCase()}${m[2]!.toLowerCase()} ${vr} ${retired ? `*${entry.name.slice('RETIRED_'.length)}` : entry.name}`);
  }
  return lines.join('\n');
}
