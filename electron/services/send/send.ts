/**
 * Sending instances to a node (C-STORE SCU, PS3.4 B.2.1): from files and folders on disk or from
 * the cache. Bytes go out exactly as stored when the node takes the stored syntax; otherwise
 * they are converted on the way (services/transcode/), the stored file unchanged.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { SkippedFile } from '../../../shared/records.js';
import { Status, statusCategory } from '../../../shared/dicom/status.js';
import { readInstanceHeaderSync } from '../../cache/index.js';
import type { InstanceSource } from '../../dimse/handlers.js';
import type { NodeTls, OutgoingSettings, RemoteNode } from '../../../shared/config.js';
import { store, type StoreOptions, type StoreResult } from '../../dimse/scu/index.js';
import { dicomNodeOf } from '../nodes/dicom-node.js';
import { outgoingTranscoder } from '../transcode/index.js';

const OUTGOING = outgoingTranscoder();

const MAX_DEPTH = 32;

/** First read of each file: the file meta information and a CT/MR header fit in 8 KiB (more is read when not). */
const SCAN_INITIAL_BYTES = 8 * 1024;
/**
 * The scan reads with synchronous calls (a thread-pool round trip per call costs more than
 * reading a header from a local disk) and gives the event loop a turn after this long.
 */
const SCAN_SLICE_MS = 10;

/** The instances found under the given paths (in path order), and the files that are not instances. */
export async function instancesFromPaths(paths: readonly string[]): Promise<{ instances: InstanceSource[]; skipped: SkippedFile[] }> {
  const instances: InstanceSource[] = [];
  const skipped: SkippedFile[] = [];
  let sliceStart = performance.now();
  const visit = async (path: string, depth: number): Promise<void> => {
    if (performance.now() - sliceStart > SCAN_SLICE_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
    let info;
    try {
      info = statSync(path);
    } catch (e) {
      skipped.push({ path, reason: `cannot read it (${(e as NodeJS.ErrnoException).code ?? String(e)})` });
      return;
    }
    if (info.isDirectory()) {
      if (depth >= MAX_DEPTH) return;
      for (const name of readdirSync(path).sort()) await visit(join(path, name), depth + 1);
      return;
    }
    if (!info.isFile()) return;
    const found = instanceOf(path);
    if ('reason' in found) skipped.push(found);
    else instances.push(found);
  };
  for (const p of paths) await visit(p, 0);
  return { instances, skipped };
}

/** One file as an instance to send, or why it is not one. */
function instanceOf(path: string): InstanceSource | SkippedFile {
  try {
    const header = readInstanceHeaderSync(path, { initialBytes: SCAN_INITIAL_BYTES });
    if (header.isDicomdir) return { path, reason: 'a DICOMDIR is not an instance' };
    const { SOPClassUID, SOPInstanceUID } = header.fields.instance;
    const sopClassUid = SOPClassUID || header.meta?.mediaStorageSopClassUid;
    const sopInstanceUid = SOPInstanceUID || header.meta?.mediaStorageSopInstanceUid;
    if (!sopClassUid || !sopInstanceUid) return { path, reason: 'it has no SOP Class UID or SOP Instance UID' };
    return {
      sopClassUid,
      sopInstanceUid,
      transferSyntaxUid: header.transferSyntaxUid,
      path,
      dataSetOffset: header.dataSetOffset,
      dataSetLength: header.fileSize - header.dataSetOffset,
    };
  } catch (e) {
    return { path, reason: `not a DICOM instance (${(e as Error).message})` };
  }
}

/** The outcome of a send. */
export interface SendReport {
  sent: number;
  warnings: number;
  failed: number;
  results: StoreResult[];
}

/** Sends the instances; association failures throw, per-instance statuses are counted. */
export async function sendInstances(
  node: Pick<RemoteNode, 'aeTitle' | 'host' | 'port'> & { tls?: NodeTls; outgoing?: OutgoingSettings },
  instances: InstanceSource[],
  options: StoreOptions,
): Promise<SendReport> {
  // an instance the node takes none of the stored syntax of is converted on the way (stored file unchanged)
  const withTranscoder: StoreOptions = {
    transcoder: OUTGOING,
    ...(node.outgoing ? { outgoing: node.outgoing } : {}),
    ...options,
  };
  const results = instances.length ? await store(dicomNodeOf(node), instances, withTranscoder) : [];
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
