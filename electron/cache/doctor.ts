/**
 * `priors doctor`: the index held against the files (rows whose file is missing or changed,
 * files no row names), the integrity of the index and of the history, and instances
 * acknowledged but not yet indexed, each told in one sentence with what --repair does about it.
 * Reading only; Cache.doctor runs it and, asked to, repairs (cache/index.ts).
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DoctorFinding, DoctorReport } from '../../shared/records.js';
import type { Db } from './db.js';
import type { CacheError } from './errors.js';
import { FILES_DIR } from './file-store.js';
import { HISTORY_FILE, HISTORY_TABLES, openHistoryDatabase } from './history.js';
import { checkDatabaseFile, type IntegrityVerdict } from './integrity.js';
import { type RecoveryReport, walkFiles } from './recovery.js';

/** How long each integrity check may take (doctor is asked for: longer than at open). */
const DOCTOR_CHECK_MS = 120_000;
/** Paths named in a sentence at most. */
const EXAMPLES = 3;

/** What holding the index against the files found. */
export interface IndexAgainstFiles {
  indexed: number;
  /** Rows whose file is missing. */
  missing: string[];
  /** Rows whose file changed size since it was indexed. */
  changed: string[];
  /** Files under files/ that no row names. */
  orphans: string[];
}

/** Stats every indexed file and walks files/ (32 at a time). */
export async function holdIndexAgainstFiles(db: Db, dataDir: string): Promise<IndexAgainstFiles> {
  const rows = db.prepare('SELECT file_path, file_size FROM instance').raw().all() as [string, number][];
  const out: IndexAgainstFiles = { indexed: rows.length, missing: [], changed: [], orphans: [] };
  for (let i = 0; i < rows.length; i += 32) {
    await Promise.all(
      rows.slice(i, i + 32).map(async ([path, size]) => {
        const s = await stat(join(dataDir, ...path.split('/'))).catch(() => undefined);
        if (!s?.isFile()) out.missing.push(path);
        else if (s.size !== size) out.changed.push(path);
      }),
    );
  }
  const known = new Set(rows.map(([path]) => path));
  const files: string[] = [];
  await walkFiles(dataDir, FILES_DIR, files);
  out.orphans = files.filter((f) => !known.has(f));
  return out;
}

/** Runs quick_check on a database file of the data directory (undefined when it does not exist). */
export async function checkFile(path: string): Promise<IntegrityVerdict | undefined> {
  try {
    return await checkDatabaseFile(path, { timeoutMs: DOCTOR_CHECK_MS, readOnly: true });
  } catch (e) {
    if ((e as { code?: string }).code === 'SQLITE_CANTOPEN' || (e as { code?: string }).code === 'ENOENT') return undefined;
    throw e;
  }
}

const some = (paths: readonly string[]) => paths.slice(0, EXAMPLES);
const eg = (paths: readonly string[]) => ` (${some(paths).join(', ')}${paths.length > EXAMPLES ? ', …' : ''})`;
const n = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

/** The findings of an integrity verdict. */
export function integrityFinding(check: 'index-integrity' | 'history-integrity', path: string, verdict: IntegrityVerdict | undefined): DoctorFinding {
  const what = check === 'index-integrity' ? 'The index' : 'The history (jobs, audit log, prefetch)';
  if (!verdict) return { check, ok: true, sentence: `${what} ${path} does not exist yet.` };
  if (verdict.ok) {
    return {
      check,
      ok: true,
      sentence:
        verdict.checked === 'full'
          ? `${what} ${path} is sound (quick_check, ${verdict.ms} ms).`
          : `${what} ${path} showed no damage in the ${Math.round(verdict.ms / 1000)} s the check may take; it was cut short.`,
    };
  }
  const remedy =
    check === 'index-integrity'
      ? '--repair sets it aside and rebuilds the index from the files (the history is kept)'
      : `restart Priors: it sets the file aside and copies what can be read of it into a new ${HISTORY_FILE}`;
  return { check, ok: false, sentence: `${what} ${path} is damaged (${verdict.problem}): ${remedy}.` };
}

/** The findings of holding the index against the files. */
export function fileFindings(r: IndexAgainstFiles): DoctorFinding[] {
  return [
    r.missing.length === 0
      ? { check: 'rows-without-files', ok: true, count: 0, sentence: `Each of the ${r.indexed} indexed instances has its file.` }
      : {
          check: 'rows-without-files',
          ok: false,
          count: r.missing.length,
          examples: some(r.missing),
          sentence: `${n(r.missing.length, 'indexed instance has', 'indexed instances have')} no file${eg(r.missing)}: --repair removes ${r.missing.length === 1 ? 'its row' : 'their rows'} (a retrieve fetches ${r.missing.length === 1 ? 'it' : 'them'} again).`,
        },
    r.changed.length === 0
      ? { check: 'changed-files', ok: true, count: 0, sentence: 'No file changed size since it was indexed.' }
      : {
          check: 'changed-files',
          ok: false,
          count: r.changed.length,
          examples: some(r.changed),
          sentence: `${n(r.changed.length, 'file changed', 'files changed')} size since indexed${eg(r.changed)}: --repair indexes ${r.changed.length === 1 ? 'it' : 'them'} again from ${r.changed.length === 1 ? 'its header' : 'their headers'}.`,
        },
    r.orphans.length === 0
      ? { check: 'files-without-rows', ok: true, count: 0, sentence: `Every file under ${FILES_DIR}/ is indexed.` }
      : {
          check: 'files-without-rows',
          ok: false,
          count: r.orphans.length,
          examples: some(r.orphans),
          sentence:
            `${n(r.orphans.length, 'file', 'files')} under ${FILES_DIR}/ ${r.orphans.length === 1 ? 'is' : 'are'} not indexed${eg(r.orphans)}: ` +
            `--repair indexes ${r.orphans.length === 1 ? 'it from its header (or moves it to quarantine/ if it cannot be read)' : 'them from their headers, and moves those it cannot read to quarantine/'}.`,
        },
  ];
}

/** How many rows each table of the history holds (for the sentence of a sound history). */
export function historyCounts(db: Db): string {
  const count = (t: string) => db.prepare(`SELECT count(*) FROM ${t}`).pluck().get() as number;
  const [audit, jobs] = [HISTORY_TABLES[0], HISTORY_TABLES[1]];
  return `${n(count(audit), 'audit event', 'audit events')}, ${n(count(jobs), 'transfer job', 'transfer jobs')}`;
}

/** What the doctor examines and repairs through (the cache, see Cache.doctor). */
export interface DoctorTarget {
  dataDir: string;
  indexPath: string;
  /** The index set aside as damaged when the cache opened, if it was. */
  setAsideAtOpen: { setAside: string; problem: string } | undefined;
  db(): Db;
  failedIndexRows(): number;
  retryIndex(): CacheError | undefined;
  /** Sets the index aside and builds a new one from the files. */
  rebuild(): Promise<RecoveryReport>;
  /** The full recovery on the index in use: rows without files removed, files without rows indexed or quarantined. */
  reconcile(): Promise<RecoveryReport>;
}

/** Examines (and with `repair` mends) the cache; the report's sentences say what was found and done. */
export async function runDoctor(t: DoctorTarget, repair: boolean): Promise<DoctorReport> {
  const findings: DoctorFinding[] = [];
  if (t.setAsideAtOpen) {
    findings.push({
      check: 'set-aside',
      ok: true,
      sentence: `The index was found damaged when Priors opened it (${t.setAsideAtOpen.problem}); it was set aside as ${t.setAsideAtOpen.setAside} and rebuilt from the files.`,
    });
  }
  const indexVerdict = await checkFile(t.indexPath);
  findings.push(integrityFinding('index-integrity', t.indexPath, indexVerdict));
  const historyPath = join(t.dataDir, HISTORY_FILE);
  const historyVerdict = await checkFile(historyPath);
  const history = integrityFinding('history-integrity', historyPath, historyVerdict);
  if (historyVerdict?.ok) {
    const db = openHistoryDatabase(t.dataDir);
    try {
      history.sentence = history.sentence.replace(/\.$/, `: ${historyCounts(db)}.`);
    } finally {
      db.close();
    }
  }
  findings.push(history);
  const damaged = indexVerdict !== undefined && !indexVerdict.ok;
  if (!damaged) findings.push(...fileFindings(await holdIndexAgainstFiles(t.db(), t.dataDir)));
  const waiting = t.failedIndexRows();
  const why = waiting > 0 ? t.retryIndex() : undefined;
  findings.push(
    waiting === 0 || !why
      ? { check: 'unindexed-acknowledged', ok: true, count: 0, sentence: 'Every instance acknowledged to a sender is indexed.' }
      : {
          check: 'unindexed-acknowledged',
          ok: false,
          count: waiting,
          sentence: `${n(waiting, 'acknowledged instance is', 'acknowledged instances are')} not indexed yet (${why.message}): free space on the disk of ${t.dataDir}; Priors writes them as soon as it can.`,
        },
  );
  const report: DoctorReport = { ok: findings.every((f) => f.ok), dataDir: t.dataDir, findings };
  if (!repair) return report;
  const repairs: string[] = [];
  if (damaged) {
    const r = await t.rebuild();
    repairs.push(
      `Set the damaged index aside as ${r.damaged?.setAside ?? '(no file)'} and rebuilt it from the files: ${n(r.reindexed, 'instance', 'instances')} indexed` +
        `${r.quarantined.length ? `, ${n(r.quarantined.length, 'file', 'files')} that could not be indexed moved to quarantine/` : ''}.`,
    );
  } else if (findings.some((f) => !f.ok && (f.check === 'rows-without-files' || f.check === 'changed-files' || f.check === 'files-without-rows'))) {
    const r = await t.reconcile();
    repairs.push(
      `Brought the index and the files back into agreement: ${n(r.removedRows, 'row', 'rows')} without a file removed, ${n(r.reindexed, 'file', 'files')} indexed` +
        `${r.quarantined.length ? `, ${n(r.quarantined.length, 'file', 'files')} that could not be indexed moved to quarantine/ (${some(r.quarantined).join(', ')})` : ''}.`,
    );
  }
  if (waiting > 0 && why) {
    const still = t.retryIndex();
    repairs.push(
      still
        ? `${n(t.failedIndexRows(), 'acknowledged instance', 'acknowledged instances')} still cannot be indexed (${still.message}): free disk space.`
        : `Indexed the ${n(waiting, 'acknowledged instance', 'acknowledged instances')} that ${waiting === 1 ? 'was' : 'were'} waiting.`,
    );
  }
  const after = await runDoctor({ ...t, setAsideAtOpen: undefined }, false);
  return { ...after, findings: [...findings.filter((f) => f.check === 'set-aside'), ...after.findings], repairs };
}
