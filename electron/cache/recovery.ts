/**
 * Bringing files and index back into agreement when the cache opens.
 *
 * Quick (after a clean shutdown): only leftover tmp/*.part files are removed; nothing else is
 * read, so opening a cache of 100,000 instances costs nothing.
 * Full (after an unclean shutdown, when the index is new but files exist, or on request):
 * - rows whose file is missing are deleted (counts rebuilt);
 * - rows whose file changed size (a duplicate renamed in, not yet indexed) are re-indexed;
 * - files under files/ without a row are indexed from their header, so nothing received is
 *   lost; unreadable ones, and copies of instances stored elsewhere, go to quarantine/;
 * - every aggregate is recomputed.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, rename, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Db } from './db.js';
import { FILES_DIR, QUARANTINE_DIR, TMP_DIR, removeQuietly } from './file-store.js';
import { readInstanceHeader } from './header.js';
import type { Repository } from './repository.js';

/** What recovery did. */
export interface RecoveryReport {
  full: boolean;
  /** Why a full check ran (or 'clean shutdown'). */
  reason: string;
  removedPartials: number;
  /** Rows deleted because their file was missing. */
  removedRows: number;
  /** Files indexed anew (files without a row, or changed since indexed). */
  reindexed: number;
  /** Files moved to quarantine/, relative to the data directory. */
  quarantined: string[];
  /** Present when the index was found damaged: the file it was set aside as (relative to the data directory) and what SQLite said. */
  damaged?: { setAside: string; problem: string };
  /** Present when the history (jobs, audit log, prefetch) was found damaged: set aside, and what of it was copied. */
  history?: { setAside: string; problem: string; rows: number; lost: string[] };
}

/** What recovery works on. */
export interface RecoveryContext {
  dataDir: string;
  db: Db;
  repository: Repository;
  log?: (level: 'info' | 'warn', message: string) => void;
}

const PARALLEL = 32;

async function inBatches<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += PARALLEL) await Promise.all(items.slice(i, i + PARALLEL).map(fn));
}

/** Removes the temp files an interrupted write left in tmp/. */
export async function removePartials(dataDir: string): Promise<number> {
  let n = 0;
  for (const name of await readdir(join(dataDir, TMP_DIR)).catch(() => [] as string[])) {
    if (!name.endsWith('.part')) continue;
    await removeQuietly(join(dataDir, TMP_DIR, name));
    n++;
  }
  return n;
}

/** Every regular file under a directory, as paths relative to `root` with forward slashes. */
export async function walkFiles(root: string, dir: string, out: string[], depth = 0): Promise<void> {
  if (depth > 16) return;
  const entries = await readdir(join(root, dir), { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) await walkFiles(root, rel, out, depth + 1);
    else if (e.isFile()) out.push(rel);
  }
}

/** Runs the quick or the full check (see the module comment). */
export async function recover(ctx: RecoveryContext, full: boolean, reason: string): Promise<RecoveryReport> {
  const report: RecoveryReport = { full, reason, removedPartials: await removePartials(ctx.dataDir), removedRows: 0, reindexed: 0, quarantined: [] };
  if (!full) return report;
  const { db, dataDir, repository } = ctx;
  const abs = (rel: string) => join(dataDir, ...rel.split('/'));

  // Rows without a file, or whose file changed.
  const rows = db.prepare('SELECT id, file_path, file_size FROM instance').all() as { id: number; file_path: string; file_size: number }[];
  const missing: number[] = [];
  const changed: string[] = [];
  await inBatches(rows, async (r) => {
    const s = await stat(abs(r.file_path)).catch(() => undefined);
    if (!s || !s.isFile()) missing.push(r.id);
    else if (s.size !== r.file_size) changed.push(r.file_path);
  });
  repository.deleteInstanceRows(missing);
  report.removedRows = missing.length;
  if (missing.length) ctx.log?.('warn', `Recovery: ${missing.length} index rows had no file and were removed`);

  // Files without a row (and the changed ones).
  const known = new Set(db.prepare('SELECT file_path FROM instance').pluck().all() as string[]);
  for (const c of changed) known.delete(c);
  const files: string[] = [];
  await walkFiles(dataDir, FILES_DIR, files);
  const bySop = db.prepare('SELECT file_path FROM instance WHERE SOPInstanceUID = ?').pluck();
  for (const rel of files) {
    if (known.has(rel)) continue;
    try {
      const header = await readInstanceHeader(abs(rel));
      const f = header.fields;
      if (header.isDicomdir || !f.study.StudyInstanceUID || !f.series.SeriesInstanceUID || !f.instance.SOPInstanceUID || !f.instance.SOPClassUID) {
        throw new Error('not an instance the index can hold');
      }
      const elsewhere = bySop.get(f.instance.SOPInstanceUID) as string | undefined;
      if (elsewhere !== undefined && elsewhere !== rel) throw new Error(`a copy of ${f.instance.SOPInstanceUID}, which is stored at ${elsewhere}`);
      const s = await stat(abs(rel));
      repository.index({
        ...f,
        transferSyntaxUid: header.transferSyntaxUid,
        filePath: rel,
        fileSize: s.size,
        dataSetOffset: header.dataSetOffset,
        receivedAt: Math.round(s.mtimeMs),
      });
      report.reindexed++;
    } catch (e) {
      const target = `${QUARANTINE_DIR}/${Date.now()}-${randomUUID().slice(0, 8)}-${basename(rel)}`;
      await mkdir(join(dataDir, QUARANTINE_DIR), { recursive: true });
      await rename(abs(rel), abs(target));
      report.quarantined.push(target);
      ctx.log?.('warn', `Recovery: ${rel} moved to ${target}: ${(e as Error).message}`);
    }
  }
  repository.aggregates.rebuildAll();
  if (report.reindexed) ctx.log?.('info', `Recovery: ${report.reindexed} files indexed from their headers`);
  return report;
}
