/**
 * Edits of the body-part synonym table, without a DOM: add or remove a word or a group. Each
 * edit answers the new table as checkSynonyms (shared/prefetch.ts, the main process's own
 * check) reads it, or its sentence, so a word already in another group is refused at once.
 */
import { checkSynonyms, type BodyPartSynonyms } from '../../../../shared/prefetch.js';

/** The table after an edit, or why the edit is refused. */
export type SynonymEdit = { ok: true; groups: BodyPartSynonyms } | { ok: false; error: string };

function checked(groups: BodyPartSynonyms): SynonymEdit {
  const c = checkSynonyms(groups);
  return c.ok ? { ok: true, groups: c.value } : { ok: false, error: `${c.error.charAt(0).toUpperCase()}${c.error.slice(1)}.` };
}

/** A word as the table keeps it: upper case, spaces squeezed. */
export function normalWord(word: string): string {
  return word.trim().toUpperCase().replace(/\s+/g, ' ');
}

/** Adds a word (or several, separated by commas) to group `index`. */
export function addWords(groups: BodyPartSynonyms, index: number, text: string): SynonymEdit {
  const words = text
    .split(',')
    .map(normalWord)
    .filter((w) => w !== '');
  if (words.length === 0) return { ok: false, error: 'Type a word to add.' };
  const group = groups[index];
  if (!group) return { ok: false, error: `There is no group ${index + 1}.` };
  const fresh = words.filter((w) => !group.includes(w));
  if (fresh.length === 0) return { ok: false, error: `${words.join(', ')} ${words.length === 1 ? 'is' : 'are'} in this group already.` };
  return checked(groups.map((g, i) => (i === index ? [...g, ...fresh] : g)));
}

/** Removes one word; a group left empty goes with it. */
export function removeWord(groups: BodyPartSynonyms, index: number, word: string): BodyPartSynonyms {
  return groups.map((g, i) => (i === index ? g.filter((w) => w !== word) : g)).filter((g) => g.length > 0);
}

/** Adds a group from words separated by commas ("KNEE, PATELLA"); its first word names it. */
export function addGroup(groups: BodyPartSynonyms, text: string): SynonymEdit {
  const words = [
    ...new Set(
      text
        .split(',')
        .map(normalWord)
        .filter((w) => w !== ''),
    ),
  ];
  if (words.length === 0) return { ok: false, error: 'Type the words of the new group, separated by commas (the first names the body part).' };
  return checked([...groups, words]);
}

/** Removes group `index`. */
export function removeGroup(groups: BodyPartSynonyms, index: number): BodyPartSynonyms {
  return groups.filter((_, i) => i !== index);
}

/** Whether two tables hold the same groups in the same order. */
export function sameTable(a: BodyPartSynonyms, b: BodyPartSynonyms): boolean {
  return a.length === b.length && a.every((g, i) => g.length === b[i]!.length && g.every((w, j) => w === b[i]![j]));
}
