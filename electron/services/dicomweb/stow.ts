/**
 * STOW-RS (PS3.18 §10.5): instances sent to a DICOMweb node as multipart/related;
 * type="application/dicom", each part a PS3.10 file streamed from where it is stored (the body
 * is written as the files are read, with backpressure), in batches; the answer's Failed SOP
 * Sequence (0008,1198) turned into sentences. An instance the node refuses for its transfer
 * syntax (Failure Reason C122, or HTTP 415 for the whole batch) is sent once more converted by the
 * outgoing transcoder into Explicit VR Little Endian, and the report says so.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TransferSyntaxUid, uidName } from '../../../shared/dicom/uids.js';
import type { InstanceSource } from '../../../shared/records.js';
import { buildFileMetaInformation } from '../../cache/file-meta.js';
import type { Transcoder } from '../../dimse/handlers.js';
import { DicomwebError } from './errors.js';
import type { DicomwebClient } from './http.js';
import { closeDelimiter, partHead } from './multipart.js';

/** Most instances in one STOW-RS request. */
export const STOW_BATCH = 100;
const FAILED_SOP_SEQUENCE = '00081198';
const REFERENCED_SOP_SEQUENCE = '00081199';
const REFERENCED_SOP_INSTANCE_UID = '00081155';
const FAILURE_REASON = '00081197';
const WARNING_REASON = '00081196';
/** Failure Reason C122, "Referenced Transfer Syntax not supported": a transfer syntax the node does not take. */
const TRANSFER_SYNTAX_NOT_SUPPORTED = 0xc122;

/** The result of one instance. */
export interface StowResult {
  sopInstanceUid: string;
  /** 'stored', 'warning' (stored with a Warning Reason), 'failed'. */
  outcome: 'stored' | 'warning' | 'failed';
  /** Failure or Warning Reason (0008,1197 / 0008,1196). */
  reason?: number;
  /** Sent converted into this syntax after the node refused the stored one. */
  convertedTo?: string;
}

/** What a send did. */
export interface StowReport {
  sent: number;
  warnings: number;
  failed: number;
  /** Instances sent converted (the node refused their stored transfer syntax). */
  converted: number;
  results: StowResult[];
}

/** Options of {@link stowInstances}. */
export interface StowOptions {
  signal?: AbortSignal;
  /** The study the request names (POST /studies/{uid}); default POST /studies. */
  studyInstanceUid?: string;
  transcoder?: Transcoder;
  onProgress?: (done: number, total: number) => void;
  batchSize?: number;
}

type Item = { instance: InstanceSource; to?: string };

/** One part's bytes: the stored PS3.10 file as it is, or file meta built for a bare data set or a converted one. */
async function partSource(item: Item, transcoder: Transcoder | undefined): Promise<Readable> {
  const { instance, to } = item;
  if (to === undefined) {
    if (instance.dataSetOffset > 0) return createReadStream(instance.path); // a PS3.10 file, sent byte for byte
    const meta = buildFileMetaInformation({
      sopClassUid: instance.sopClassUid,
      sopInstanceUid: instance.sopInstanceUid,
      transferSyntaxUid: instance.transferSyntaxUid,
    });
    return Readable.from(
      (async function* () {
        yield Buffer.from(meta);
        yield* createReadStream(instance.path);
      })(),
    );
  }
  const converted = await transcoder!.convert(instance, to);
  if ('reason' in converted) throw new Error(`${instance.sopInstanceUid} cannot be converted to ${uidName(to)}: ${converted.reason}`);
  const meta = buildFileMetaInformation({ sopClassUid: instance.sopClassUid, sopInstanceUid: instance.sopInstanceUid, transferSyntaxUid: to });
  return Readable.from(
    (async function* () {
      yield Buffer.from(meta);
      yield* converted;
    })(),
  );
}

/** The multipart body of a batch, written part after part as the files are read. */
function batchBody(items: Item[], boundary: string, transcoder: Transcoder | undefined): Readable {
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  void (async () => {
    for (const [i, item] of items.entries()) {
      if (!out.write(partHead(boundary, { 'Content-Type': 'application/dicom' }, i === 0))) await new Promise((r) => out.once('drain', r));
      await pipeline(await partSource(item, transcoder), out, { end: false });
    }
    out.end(closeDelimiter(boundary, items.length > 0));
  })().catch((e: unknown) => out.destroy(e as Error));
  return out;
}

interface JsonItem {
  [tag: string]: { Value?: unknown[] } | undefined;
}

function itemsOf(answer: unknown, key: string): JsonItem[] {
  const v = (answer as Record<string, { Value?: unknown[] }> | undefined)?.[key]?.Value;
  return Array.isArray(v) ? (v as JsonItem[]) : [];
}

const uidOf = (item: JsonItem) => String(item[REFERENCED_SOP_INSTANCE_UID]?.Value?.[0] ?? '');
const reasonOf = (item: JsonItem, key: string) => {
  const n = Number(item[key]?.Value?.[0]);
  return Number.isInteger(n) ? n : undefined;
};

/** Sends one batch; the result of each instance. */
async function sendBatch(client: DicomwebClient, items: Item[], options: StowOptions): Promise<{ results: StowResult[]; status: number }> {
  const boundary = `priors-${randomBytes(12).toString('hex')}`;
  const path = options.studyInstanceUid ? `/studies/${encodeURIComponent(options.studyInstanceUid)}` : '/studies';
  const answer = await client.request('stow', {
    method: 'POST',
    path,
    pass: [409],
    headers: { 'content-type': `multipart/related; type="application/dicom"; boundary=${boundary}`, accept: 'application/dicom+json' },
    body: batchBody(items, boundary, options.transcoder),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const json = await client.json('stow', answer);
  const failed = new Map(itemsOf(json, FAILED_SOP_SEQUENCE).map((it) => [uidOf(it), reasonOf(it, FAILURE_REASON)]));
  const stored = new Map(itemsOf(json, REFERENCED_SOP_SEQUENCE).map((it) => [uidOf(it), reasonOf(it, WARNING_REASON)]));
  const results = items.map(({ instance, to }): StowResult => {
    const uid = instance.sopInstanceUid;
    const base = { sopInstanceUid: uid, ...(to ? { convertedTo: to } : {}) };
    if (failed.has(uid)) return { ...base, outcome: 'failed', ...(failed.get(uid) !== undefined ? { reason: failed.get(uid)! } : {}) };
    if (stored.has(uid))
      return { ...base, outcome: stored.get(uid) !== undefined ? 'warning' : 'stored', ...(stored.get(uid) !== undefined ? { reason: stored.get(uid)! } : {}) };
    // a 200 answer that lists nothing: every instance stored (§10.5.3: 200 OK means all were)
    return { ...base, outcome: answer.status === 200 ? 'stored' : 'failed' };
  });
  return { results, status: answer.status };
}

/** Sends the instances in batches; HTTP failures other than a 409 throw (DicomwebError). */
export async function stowInstances(client: DicomwebClient, instances: readonly InstanceSource[], options: StowOptions = {}): Promise<StowReport> {
  const size = Math.max(1, options.batchSize ?? STOW_BATCH);
  const all: StowResult[] = [];
  for (let i = 0; i < instances.length; i += size) {
    if (options.signal?.aborted) throw options.signal.reason;
    const batch: Item[] = instances.slice(i, i + size).map((instance) => ({ instance }));
    let results: StowResult[];
    try {
      results = (await sendBatch(client, batch, options)).results;
    } catch (e) {
      // 415 for the whole batch: the node takes none of these syntaxes; each is sent converted
      if (!(e instanceof DicomwebError && e.failure.kind === 'http' && e.failure.status === 415 && options.transcoder)) throw e;
      results = batch.map(({ instance }) => ({ sopInstanceUid: instance.sopInstanceUid, outcome: 'failed', reason: TRANSFER_SYNTAX_NOT_SUPPORTED }));
    }
    const retry = options.transcoder
      ? batch.filter(
          (b, j) =>
            results[j]!.outcome === 'failed' &&
            results[j]!.reason === TRANSFER_SYNTAX_NOT_SUPPORTED &&
            b.instance.transferSyntaxUid !== TransferSyntaxUid.ExplicitVRLittleEndian &&
            options.transcoder!.alternatives(b.instance.transferSyntaxUid).includes(TransferSyntaxUid.ExplicitVRLittleEndian),
        )
      : [];
    if (retry.length) {
      const again = await sendBatch(
        client,
        retry.map((b) => ({ instance: b.instance, to: TransferSyntaxUid.ExplicitVRLittleEndian })),
        options,
      );
      const byUid = new Map(again.results.map((r) => [r.sopInstanceUid, r]));
      results = results.map((r) => byUid.get(r.sopInstanceUid) ?? r);
    }
    all.push(...results);
    options.onProgress?.(all.length, instances.length);
  }
  const count = (o: StowResult['outcome']) => all.filter((r) => r.outcome === o).length;
  return {
    sent: count('stored') + count('warning'),
    warnings: count('warning'),
    failed: count('failed'),
    converted: all.filter((r) => r.convertedTo && r.outcome !== 'failed').length,
    results: all,
  };
}

/** Failure Reasons of a STOW-RS answer (PS3.18 §10.5.3, the C-STORE statuses of PS3.4 B.2.3), in words. */
export function failureReasonText(reason: number | undefined): string {
  switch (reason) {
    case undefined:
      return 'without a reason';
    case 0xa700:
    case 0xa701:
    case 0xa702:
      return `out of resources (${hex(reason)}): it has no room`;
    case 0xa900:
      return `data set does not match SOP class (${hex(reason)})`;
    case 0xc000:
      return `cannot understand (${hex(reason)})`;
    case 0xc122:
      return `transfer syntax not supported (${hex(reason)})`;
    case 0x0110:
      return `processing failure (${hex(reason)})`;
    case 0x0122:
      return `SOP class not supported (${hex(reason)})`;
    case 0x0124:
      return `not authorized (${hex(reason)})`;
    default:
      return `reason ${hex(reason)}`;
  }
}

function hex(n: number): string {
  return `0x${n.toString(16).toUpperCase().padStart(4, '0')}`;
}
