/**
 * Sending instances to a node (C-STORE SCU, PS3.4 B.2.1): from files and folders on disk or from
 * the cache. Bytes go out exactly as stored; nothing is transcoded.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { SkippedFile } from '../../shared/records.js';
import { Status, statusCategory } from '../../shared/dicom/status.js';
import { readInstanceHeader } from '../cache/index.js';
import type { InstanceSource } from '../dimse/handlers.js';
import { store, type DicomNode, type StoreOptions, type StoreResult } from '../dimse/scu.js';

const MAX_DEPTH = 32;

/** The instances found under the given paths, and the files that are not instances. */
export async function instancesFromPaths(paths: readonly string[]): Promise<{ instances: InstanceSource[]; skipped: SkippedFile[] }> {
  const instances: InstanceSource[] = [];
  const skipped: SkippedFile[] = [];
  const visit = async (path: string, depth: number): Promise<void> => {
    let info;
    try {
      info = await stat(path);
    } catch (e) {
      skipped.push({ path, reason: `cannot read it (${(e as NodeJS.ErrnoException).code ?? String(e)})` });
      return;
    }
    if (info.isDirectory()) {
      if (depth >= MAX_DEPTH) return;
      for (const name of (await readdir(path)).sort()) await visit(join(path, name), depth + 1);
      return;
    }
    if (!info.isFile()) return;
    try {
      const header = await readInstanceHeader(path);
      if (header.isDicomdir) {
        skipped.push({ path, reason: 'a DICOMDIR is not an instance' });
        return;
      }
      const { SOPClassUID, SOPInstanceUID } = header.fields.instance;
      const sopClassUid = SOPClassUID || header.meta?.mediaStorageSopClassUid;
      const sopInstanceUid = SOPInstanceUID || header.meta?.mediaStorageSopInstanceUid;
      if (!sopClassUid || !sopInstanceUid) {
        skipped.push({ path, reason: 'it has no SOP Class UID or SOP Instance UID' });
        return;
      }
      instances.push({
        sopClassUid, sopInstanceUid, transferSyntaxUid: header.transferSyntaxUid, path,
        dataSetOffset: header.dataSetOffset, dataSetLength: header.fileSize - header.dataSetOffset,
      });
    } catch (e) {
      skipped.push({ path, reason: `not a DICOM instance (${(e as Error).message})` });
    }
  };
  for (const p of paths) await visit(p, 0);
  return { instances, skipped };
}

/** The outcome of a send. */
export interface SendReport {
  sent: number;
  warnings: number;
  failed: number;
  results: StoreResult[];
}

/** Sends the instances; association failures throw, per-instance statuses are counted. */
export async function sendInstances(node: DicomNode, instances: InstanceSource[], options: StoreOptions): Promise<SendReport> {
  const results = instances.length ? await store(node, instances, options) : [];
  const report: SendReport = { sent: 0, warnings: 0, failed: 0, results };
  for (const r of results) {
    const c = statusCategory(r.status);
    if (c === 'success') report.sent++;
    else if (c === 'warning') {
      report.sent++;
      report.warnings++;
    } else report.failed++;
  }
  return report;
}

/** The first failed result (for the sentence), if any. */
export function firstFailure(report: SendReport): StoreResult | undefined {
  return report.results.find((r) => statusCategory(r.status) !== 'success' && statusCategory(r.status) !== 'warning' && r.status !== Status.Success);
}
