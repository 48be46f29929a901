/**
 * One search over several nodes: the answers merged by the unique key of their level, with the
 * nodes that hold each; the patient identifiers each carries (Patient ID with its Issuer of
 * Patient ID, and the Other Patient IDs Sequence); and how each node's part ended.
 * Pure code: no Node, no DOM.
 */
import type { ErrorCode } from './errors.js';

/** A match as plain data: DICOM keyword → values joined with a backslash. */
export type MatchRow = Record<string, string>;

/** A patient identifier: the ID and, when known, the authority that assigned it (PS3.3 C.7.1.1). */
export interface PatientIdentifier {
  PatientID: string;
  IssuerOfPatientID?: string;
}

/**
 * Other Patient IDs as one row value: each item as `ID^^^Issuer` (the HL7 v2 CX form, with the
 * assigning authority in its fourth component) or `ID` alone, items separated by backslashes.
 */
export function formatPatientIds(ids: readonly PatientIdentifier[]): string {
  return ids.map((id) => (id.IssuerOfPatientID ? `${id.PatientID}^^^${id.IssuerOfPatientID}` : id.PatientID)).join('\\');
}

/** Reads a value written by {@link formatPatientIds}. */
export function parsePatientIds(value: string | undefined): PatientIdentifier[] {
  if (!value) return [];
  return value.split('\\').flatMap((v) => {
    const at = v.indexOf('^^^');
    const PatientID = (at < 0 ? v : v.slice(0, at)).trim();
    const issuer = at < 0 ? '' : v.slice(at + 3).trim();
    return PatientID ? [{ PatientID, ...(issuer ? { IssuerOfPatientID: issuer } : {}) }] : [];
  });
}

/** The identifiers a match carries: its Patient ID with its issuer, then its other IDs. */
export function identifiersOf(row: MatchRow): PatientIdentifier[] {
  const out: PatientIdentifier[] = [];
  const id = row.PatientID?.trim();
  const issuer = row.IssuerOfPatientID?.trim();
  if (id) out.push({ PatientID: id, ...(issuer ? { IssuerOfPatientID: issuer } : {}) });
  for (const other of parsePatientIds(row.OtherPatientIDsSequence)) {
    if (!out.some((o) => sameIdentifier(o, other))) out.push(other);
  }
  return out;
}

/** Two identifiers agree when the IDs and the issuers are the same (an unknown issuer agrees only with an unknown one). */
export function sameIdentifier(a: PatientIdentifier, b: PatientIdentifier): boolean {
  return a.PatientID === b.PatientID && (a.IssuerOfPatientID ?? '') === (b.IssuerOfPatientID ?? '');
}

/** An identifier as a map key. */
export function identifierKey(id: PatientIdentifier): string {
  return `${id.PatientID}\u0000${id.IssuerOfPatientID ?? ''}`;
}

/** An identifier as people read it: `12345 (HOSP_A)`, or `12345` when its issuer is unknown. */
export function formatIdentifier(id: PatientIdentifier): string {
  return id.IssuerOfPatientID ? `${id.PatientID} (${id.IssuerOfPatientID})` : id.PatientID;
}

/** How one node's part of a search ended. */
export interface NodeSearchOutcome {
  /** The node's name. */
  node: string;
  /** 'capped': it answered, but its answer looks cut short (a round count, a Cancel we did not ask for). */
  outcome: 'completed' | 'capped' | 'failed' | 'cancelled';
  matches: number;
  /** Our limit stopped its answer. */
  limitReached?: boolean;
  /** Why it failed, or why its answer looks capped: one sentence. */
  sentence?: string;
  /** The catalog code of a failure. */
  code?: ErrorCode;
  /** The Specific Character Sets its answers were written in. */
  characterSets?: string[];
  /** How long its part took, from the request to its end, in milliseconds. */
  ms?: number;
}

/** A match as several nodes gave it. */
export interface MergedMatch {
  /** The first answer's values, with the keys it left empty filled from the later answers. */
  row: MatchRow;
  /** The nodes that answered with it, in the order they did. */
  heldBy: string[];
  /** Every patient identifier the nodes gave for it. */
  identifiers: PatientIdentifier[];
}

const UNIQUE_KEYWORD: Readonly<Record<string, string>> = { STUDY: 'StudyInstanceUID', SERIES: 'SeriesInstanceUID', IMAGE: 'SOPInstanceUID' };

/** What two answers of one entity share at a level: its unique key (PS3.4 C.6), the patient's identifier at PATIENT level. */
export function mergeKeyOf(row: MatchRow, level: string): string | undefined {
  if (level === 'PATIENT') {
    const id = identifiersOf(row)[0];
    return id ? identifierKey(id) : undefined;
  }
  return row[UNIQUE_KEYWORD[level] ?? '']?.trim() || undefined;
}

/** Merges the answers of several nodes as they come. */
export class MatchMerger {
  private readonly byKey = new Map<string, MergedMatch>();
  private readonly all: MergedMatch[] = [];

  constructor(private readonly level: string) {}

  /** Adds one node's answer; returns the merged match as it stands now (a fresh object). */
  add(row: MatchRow, node: string): MergedMatch {
    const key = mergeKeyOf(row, this.level);
    const held = key === undefined ? undefined : this.byKey.get(key);
    if (!held) {
      const merged: MergedMatch = { row: { ...row }, heldBy: [node], identifiers: identifiersOf(row) };
      if (key !== undefined) this.byKey.set(key, merged);
      this.all.push(merged);
      return { ...merged, row: { ...merged.row }, heldBy: [...merged.heldBy], identifiers: [...merged.identifiers] };
    }
    if (!held.heldBy.includes(node)) held.heldBy.push(node);
    for (const [k, v] of Object.entries(row)) if ((held.row[k] ?? '').trim() === '' && v.trim() !== '') held.row[k] = v;
    for (const id of identifiersOf(row)) if (!held.identifiers.some((h) => sameIdentifier(h, id))) held.identifiers.push(id);
    return { row: { ...held.row }, heldBy: [...held.heldBy], identifiers: [...held.identifiers] };
  }

  /** Every merged match, in the order they first came. */
  matches(): MergedMatch[] {
    return this.all;
  }
}
