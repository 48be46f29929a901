/**
 * The patient view of the Search screen: the studies found, grouped by patient. Studies are one
 * patient when their identifiers agree: the same Patient ID from the same issuer (PS3.3
 * C.7.1.1: Issuer of Patient ID), an Other Patient IDs match, or a study both archives hold
 * under their own identifiers. Groups that agree only on demographics (name, birth date and
 * sex), or on a Patient ID whose issuer one side does not know, are flagged for a person to
 * confirm and never merged silently; a confirmation holds for the session. Pure code.
 */
import { formatIdentifier, identifierKey, type PatientIdentifier } from '../../../../shared/search.js';
import { formatDicomDate, formatPersonName } from '../../lib/format.js';
import type { StudyRow } from './study-rows.js';

/** One patient as the studies found show it. */
export interface PatientGroup {
  /** Stable while the group keeps its identifiers: its first identifier's key (or its study's). */
  key: string;
  identifiers: PatientIdentifier[];
  names: string[];
  birthDates: string[];
  sexes: string[];
  /** StudyInstanceUIDs, in the order of the rows. */
  studies: string[];
  /** Nodes that hold any of its studies. */
  heldBy: string[];
  /** Joined to another group by a person's confirmation. */
  confirmed: boolean;
  /** The same identifiers under another name or birth date: one sentence, to check. */
  conflict?: string;
}

/** Two groups that may be one patient. */
export interface PatientFlag {
  /** The pair's key: what {@link groupPatients} takes back as confirmed or kept apart. */
  key: string;
  groups: [string, string];
  reason: 'demographics' | 'issuer-unknown';
  sentence: string;
}

type Row = Pick<StudyRow, 'StudyInstanceUID' | 'PatientName' | 'PatientBirthDate' | 'PatientSex' | 'identifiers' | 'heldBy'>;

/** A name as compared: its alphabetic group, upper case, without trailing empty components. */
function nameKey(pn: string): string {
  return (pn.split('=')[0] ?? '')
    .toUpperCase()
    .replace(/[\s^]+$/, '')
    .replace(/\s+/g, ' ')
    .trim();
}

const uniq = (values: Iterable<string>): string[] => [...new Set([...values].filter((v) => v.trim() !== ''))];

function rowKeys(row: Row): string[] {
  return row.identifiers.length ? row.identifiers.map(identifierKey) : [`study:${row.StudyInstanceUID}`];
}

/** The key of a pair of groups, whatever their order. */
export function pairKey(a: string, b: string): string {
  return a < b ? `${a}\u0001${b}` : `${b}\u0001${a}`;
}

/**
 * Groups the rows by patient. `confirmed`: pairs a person said are one patient (they are joined);
 * `apart`: pairs a person said are not (no longer flagged).
 */
export function groupPatients(
  rows: readonly Row[],
  confirmed: ReadonlySet<string> = new Set(),
  apart: ReadonlySet<string> = new Set(),
): { groups: PatientGroup[]; flags: PatientFlag[] } {
  // union-find over the rows: rows sharing an identifier are one patient
  const parent = rows.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  const union = (a: number, b: number): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  };
  const byKey = new Map<string, number>();
  rows.forEach((row, i) => {
    for (const k of rowKeys(row)) {
      const held = byKey.get(k);
      if (held === undefined) byKey.set(k, i);
      else union(held, i);
    }
  });
  const joinedByPerson = new Set<number>();
  for (const pair of confirmed) {
    const [a, b] = pair.split('\u0001').map((k) => byKey.get(k));
    if (a !== undefined && b !== undefined && find(a) !== find(b)) {
      union(a, b);
      joinedByPerson.add(a).add(b);
    }
  }
  const members = new Map<number, number[]>();
  rows.forEach((_, i) => {
    const r = find(i);
    members.set(r, [...(members.get(r) ?? []), i]);
  });
  const groups: PatientGroup[] = [...members.values()].map((idx) => {
    const ids: PatientIdentifier[] = [];
    for (const i of idx) for (const id of rows[i]!.identifiers) if (!ids.some((h) => identifierKey(h) === identifierKey(id))) ids.push(id);
    const names = uniq(idx.map((i) => rows[i]!.PatientName));
    const birthDates = uniq(idx.map((i) => rows[i]!.PatientBirthDate));
    const group: PatientGroup = {
      key: ids[0] ? identifierKey(ids[0]) : `study:${rows[idx[0]!]!.StudyInstanceUID}`,
      identifiers: ids,
      names,
      birthDates,
      sexes: uniq(idx.map((i) => rows[i]!.PatientSex)),
      studies: idx.map((i) => rows[i]!.StudyInstanceUID),
      heldBy: uniq(idx.flatMap((i) => rows[i]!.heldBy ?? [])),
      confirmed: idx.some((i) => joinedByPerson.has(i)),
    };
    if (new Set(names.map(nameKey)).size > 1 || birthDates.length > 1) {
      group.conflict = `The same identifiers under other names or birth dates (${[...names.map(formatPersonName), ...birthDates.map(formatDicomDate)].join(', ')}): check before reading these studies together.`;
    }
    return group;
  });
  return { groups, flags: flagsOf(groups, apart) };
}

/** Pairs of groups to confirm: the same name, birth date and sex; or a Patient ID whose issuer one side lacks. */
function flagsOf(groups: readonly PatientGroup[], apart: ReadonlySet<string>): PatientFlag[] {
  const flags = new Map<string, PatientFlag>();
  const add = (a: PatientGroup, b: PatientGroup, reason: PatientFlag['reason'], sentence: string): void => {
    const key = pairKey(a.key, b.key);
    if (!apart.has(key) && !flags.has(key)) flags.set(key, { key, groups: [a.key, b.key], reason, sentence });
  };
  const ids = (g: PatientGroup): string => g.identifiers.map(formatIdentifier).join(', ') || 'no Patient ID';
  // the same ID with an issuer on one side only says more than a name: it is looked at first
  const byId = new Map<string, Array<{ g: PatientGroup; issuer: string }>>();
  for (const g of groups) {
    for (const id of g.identifiers) {
      for (const other of byId.get(id.PatientID) ?? []) {
        if (other.g === g || (other.issuer !== '') === (id.IssuerOfPatientID !== undefined)) continue;
        const known = other.issuer || id.IssuerOfPatientID!;
        add(other.g, g, 'issuer-unknown', `Patient ID ${id.PatientID} is from ${known} on one side and of unknown issuer on the other. The same patient?`);
      }
      byId.set(id.PatientID, [...(byId.get(id.PatientID) ?? []), { g, issuer: id.IssuerOfPatientID ?? '' }]);
    }
  }
  const byDemographics = new Map<string, PatientGroup[]>();
  for (const g of groups) {
    if (g.names.length !== 1 || g.birthDates.length !== 1 || g.sexes.length !== 1) continue;
    const k = `${nameKey(g.names[0]!)}\u0000${g.birthDates[0]}\u0000${g.sexes[0]!.toUpperCase()}`;
    for (const other of byDemographics.get(k) ?? []) {
      add(
        other,
        g,
        'demographics',
        `${formatPersonName(g.names[0])}, born ${formatDicomDate(g.birthDates[0])}, ${g.sexes[0]}: ${ids(other)} and ${ids(g)} agree only on name, birth date and sex. The same patient?`,
      );
    }
    byDemographics.set(k, [...(byDemographics.get(k) ?? []), g]);
  }
  return [...flags.values()];
}
