/**
 * The body part of a study, as prefetch compares it: Body Part Examined (0018,0015) of its
 * series when they carry it, else the words of its Study and Series Descriptions, each mapped to
 * its group of the synonym table (CHEST = THORAX = LUNG) and named by the group's first word.
 */
import type { BodyPartSynonyms } from '../../../shared/prefetch.js';

/** A synonym table ready for lookups. */
export class BodyPartLexicon {
  private readonly canonical = new Map<string, string>();
  /** Phrases of several words, longest first, as token lists. */
  private readonly phrases: { tokens: string[]; canonical: string }[] = [];
  /** Single words of at least 3 letters, for compound Body Part Examined values (CHESTABDPELVIS). */
  private readonly fragments: { word: string; canonical: string }[] = [];

  constructor(synonyms: BodyPartSynonyms) {
    for (const group of synonyms) {
      const name = group[0];
      if (!name) continue;
      for (const word of group) {
        const key = normalize(word);
        this.canonical.set(key, name);
        this.canonical.set(key.replace(/[ -]/g, ''), name);
        const tokens = tokenize(word);
        if (tokens.length > 1) this.phrases.push({ tokens, canonical: name });
        else if (key.length >= 3) this.fragments.push({ word: key.replace(/-/g, ''), canonical: name });
      }
    }
    this.phrases.sort((a, b) => b.tokens.length - a.tokens.length);
    this.fragments.sort((a, b) => b.word.length - a.word.length);
  }

  /**
   * The body parts a Body Part Examined value names: the value itself when the table knows it,
   * else every known word it is made of (CHESTABDPELVIS → CHEST, ABDOMEN, PELVIS), else the value
   * as written (two studies of the same unknown part still match).
   */
  fromBodyPartExamined(value: string): string[] {
    const key = normalize(value);
    if (key === '') return [];
    const hit = this.canonical.get(key) ?? this.canonical.get(key.replace(/[ _-]/g, ''));
    if (hit) return [hit];
    const out = new Set<string>();
    let rest = key.replace(/[ _-]/g, '');
    for (const { word, canonical } of this.fragments) {
      if (rest.includes(word)) {
        out.add(canonical);
        rest = rest.split(word).join(' ');
      }
    }
    return out.size ? [...out] : [key];
  }

  /** The body parts named by the words of a description ("CT THORAX W/O" → CHEST). */
  fromDescription(text: string): string[] {
    const tokens = tokenize(text);
    const out = new Set<string>();
    const used = new Array<boolean>(tokens.length).fill(false);
    for (const { tokens: phrase, canonical } of this.phrases) {
      for (let i = 0; i + phrase.length <= tokens.length; i++) {
        if (phrase.every((t, j) => tokens[i + j] === t && !used[i + j])) {
          out.add(canonical);
          for (let j = 0; j < phrase.length; j++) used[i + j] = true;
        }
      }
    }
    for (const [i, token] of tokens.entries()) {
      if (used[i]) continue;
      const hit = this.canonical.get(token);
      if (hit) out.add(hit);
    }
    return [...out];
  }

  /**
   * The body parts of a study: from Body Part Examined when any series has it, else from the
   * descriptions. `basis` says which, for the reasons shown to people.
   */
  ofStudy(bodyPartExamined: readonly string[], descriptions: readonly (string | undefined)[]): { parts: string[]; basis: 'examined' | 'description' | 'none' } {
    const examined = new Set(bodyPartExamined.flatMap((v) => this.fromBodyPartExamined(v)));
    if (examined.size) return { parts: [...examined], basis: 'examined' };
    const described = new Set(descriptions.flatMap((d) => (d ? this.fromDescription(d) : [])));
    if (described.size) return { parts: [...described], basis: 'description' };
    return { parts: [], basis: 'none' };
  }
}

function normalize(word: string): string {
  return word.trim().toUpperCase().replace(/\s+/g, ' ');
}

/** Upper-case words of letters and digits; a '-' inside a word is kept (C-SPINE). */
function tokenize(text: string): string[] {
  return text
    .toUpperCase()
    .split(/[^A-Z0-9-]+/)
    .map((t) => t.replace(/^-+|-+$/g, ''))
    .filter((t) => t !== '');
}
