/**
 * The handlers of our SCP over the cache (docs/architecture.md, rule 1: dimse/ declares them, services/
 * implements them): Storage (PS3.4 B.2.2), Query (C.4.1.3) and Retrieve (C.4.2.3, C.4.3.3).
 * Also used as the C-STORE receiver of our own C-GET SCU.
 */
import type { Readable, Writable } from 'node:stream';
import { readFile } from 'node:fs/promises';
import type { ArrivalCompression, RemoteNode } from '../../../shared/config.js';
import type { InstanceHeader } from '../../cache/header.js';
import type { ArrivalCompressor } from '../transcode/compress.js';
import type { StoreResult } from '../../../shared/records.js';
import { dicomNodeOf } from '../nodes/dicom-node.js';
import { type DataSet, getStrings } from '../../../shared/dicom/dataset.js';
import { keywordOf } from '../../../shared/dicom/dictionary.js';
import { QUERY_RETRIEVE_LEVEL_TAG, isQueryLevel, queryModelForSopClass, uniqueKey } from '../../../shared/dicom/query.js';
import { Status } from '../../../shared/dicom/status.js';
import { validateUid } from '../../../shared/dicom/uids.js';
import { type Cache, type FindKey, type TempWriter, CacheError, isOutOfSpace } from '../../cache/index.js';
import { divertDataSet } from '../../dimse/index.js';
import {
  DimseStatusError,
  type AssociationInfo,
  type FindHandler,
  type FindRequest,
  type InstanceSource,
  type MoveDestination,
  type RetrieveHandler,
  type RetrieveRequest,
  type StoreHandler,
  type StoreOutcome,
  type StoreRequest,
} from '../../dimse/handlers.js';
import { markCharacterSet } from '../query/query-keys.js';
import { RETRIEVE_AE_TITLE, SPECIFIC_CHARACTER_SET } from '../../../shared/dicom/tags.js';

/** One instance stored by the {@link CacheStoreHandler}. */
export interface StoredEvent {
  association: AssociationInfo;
  sopInstanceUid: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  moveOriginatorAeTitle?: string;
  duplicate: boolean;
}

/** Lossless compression of what arrives (config compressOnArrival, per node or for the cache). */
export interface ArrivalCompressionPolicy {
  compressor: Pick<ArrivalCompressor, 'compress'>;
  /** The compression for what this association sends; undefined = as received. */
  kindFor(association: AssociationInfo): Promise<ArrivalCompression | undefined> | ArrivalCompression | undefined;
  log?: (level: 'debug' | 'warn', message: string) => void;
}

/**
 * The data set into the temp writer: straight from the network when it can be diverted (each
 * received chunk written out at once, without the streams' machinery for every PDV), else
 * copied with backpressure. Resolves once the writer has finished.
 */
function receiveInto(dataSet: Readable, writer: TempWriter): Promise<void> {
  const dest = writer.stream;
  // broken before it was read: nothing would reach a sink; copyInto rejects with its error
  if (dataSet.destroyed && !dataSet.readableEnded) return copyInto(dataSet, dest);
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => {
      dest.off('finish', onFinish);
      reject(e);
    };
    const onFinish = () => {
      dest.off('error', onError);
      resolve();
    };
    dest.once('error', onError);
    dest.once('finish', onFinish);
    if (!divertDataSet(dataSet, writer.sink)) {
      dest.off('error', onError);
      dest.off('finish', onFinish);
      copyInto(dataSet, dest).then(resolve, reject);
    }
  });
}

/** Copies a stream into a writable with backpressure, leaving the source alive if the writable fails. */
function copyInto(source: Readable, dest: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    // destroyed before we got to it (the association ended): its error was emitted already
    if (source.destroyed && !source.readableEnded) {
      dest.destroy();
      reject(source.errored ?? new Error('the data set ended before it was read: the association closed'));
      return;
    }
    const cleanup = () => {
      source.off('error', onSourceError);
      dest.off('error', onDestError);
      dest.off('finish', onFinish);
    };
    const onSourceError = (e: Error) => {
      cleanup();
      source.unpipe(dest);
      dest.destroy();
      reject(e);
    };
    const onDestError = (e: Error) => {
      cleanup();
      source.unpipe(dest);
      reject(e);
    };
    const onFinish = () => {
      cleanup();
      resolve();
    };
    source.once('error', onSourceError);
    dest.once('error', onDestError);
    dest.once('finish', onFinish);
    source.pipe(dest);
  });
}

function stripUid(s: string | undefined): string {
  return (s ?? '').replace(/[\0 ]+$/, '').trim();
}

/**
 * Storage SCP over the cache: the File Meta Information is written first (PS3.10 §7.1), the
 * data set streams into a temp file with backpressure, its header is read and checked against
 * the command, then the instance is committed (with deferred durability its index row joins the
 * cache's next group commit after the answer, see StoreOutcome.afterResponse and file-store.ts). 0117 when the command's Affected SOP Instance
 * UID is not a valid UID (PS3.5 §9.1: digits and periods, no empty component, no leading zero,
 * at most 64 characters; PS3.7 Annex C: Invalid Object Instance) — nothing is written then;
 * A900 when the data set's SOP Class or Instance UID differs from the command's, or its Study
 * or Series Instance UID is not a valid UID (no UID ever becomes a path unchecked); C000 when
 * it cannot be read; A700 when the cache's size limit, the free space kept on the disk or the
 * disk itself leaves no room (PS3.4 B.2.3), with an Error Comment saying which.
 */
export class CacheStoreHandler implements StoreHandler {
  constructor(
    private readonly cache: Cache,
    private readonly onStored?: (event: StoredEvent) => void,
    private readonly onEnded?: (association: AssociationInfo, stores: number) => void,
    private readonly compression?: ArrivalCompressionPolicy,
  ) {}

  /**
   * The received instance compressed without loss into a new temp file, when the policy asks it
   * for this sender and the images allow it; undefined = stored as received. A failure to
   * compress never fails the store.
   */
  private async compressed(
    writer: TempWriter,
    header: InstanceHeader,
    request: StoreRequest,
    sourceAeTitle: string,
  ): Promise<{ writer: TempWriter; header: InstanceHeader } | undefined> {
    if (!this.compression) return undefined;
    const kind = await this.compression.kindFor(request.association);
    if (!kind) return undefined;
    let next: TempWriter | undefined;
    try {
      const file = await readFile(writer.path);
      const result = await this.compression.compressor.compress(file.subarray(header.dataSetOffset), header.transferSyntaxUid, kind);
      if ('skipped' in result) {
        this.compression.log?.('debug', `${request.sopInstanceUid} from ${sourceAeTitle} stored as received, not compressed: ${result.skipped}`);
        return undefined;
      }
      next = this.cache.createTempWriter({
        meta: { sopClassUid: request.sopClassUid, sopInstanceUid: request.sopInstanceUid, transferSyntaxUid: result.transferSyntaxUid, sourceAeTitle },
      });
      next.stream.end(result.dataSet);
      const replaced = { writer: next, header: await next.header() };
      await writer.discard().catch(() => undefined);
      return replaced;
    } catch (e) {
      await next?.discard().catch(() => undefined);
      this.compression.log?.('warn', `${request.sopInstanceUid} from ${sourceAeTitle} stored as received: compressing it failed (${(e as Error).message})`);
      return undefined;
    }
  }

  /** A700 Out of Resources (PS3.4 B.2.3) for a store refused for lack of room; recorded for cache.stats. */
  private outOfSpace(e: unknown, sourceAeTitle: string): StoreOutcome {
    this.cache.noteOutOfSpace(e, sourceAeTitle);
    const code = (e as { code: string }).code;
    return { status: Status.OutOfResources, errorComment: NO_ROOM[code] ?? `Out of disk space (${code})` };
  }

  /** The sender asks to release: the rows of what it sent are written before it is answered. */
  beforeRelease(): void {
    this.cache.flushIndex();
  }

  /** An association that stored instances ended: told to the listener (prefetch waits for it). */
  associationEnded(association: AssociationInfo, stores: number): void {
    this.onEnded?.(association, stores);
  }

  /** A700 for a store refused because the index cannot take it now (being rebuilt, or earlier rows not yet written). */
  private indexRefusal(e: CacheError, sourceAeTitle: string): StoreOutcome {
    if (isOutOfSpace(e)) this.cache.noteOutOfSpace(e, sourceAeTitle);
    const comment =
      e.code === 'EREBUILDING'
        ? 'Index being rebuilt on the receiving workstation; retry later'
        : isOutOfSpace(e)
          ? `Index full on the receiving workstation (${e.code}); retry later`
          : 'Index cannot be written on the receiving workstation; retry later';
    return { status: Status.OutOfResources, errorComment: comment };
  }

  async store(request: StoreRequest): Promise<StoreOutcome> {
    const invalid = validateUid(stripUid(request.sopInstanceUid));
    if (invalid) {
      // Nothing is written; the server drains the data set after this answer.
      return { status: Status.InvalidObjectInstance, errorComment: truncate(`Affected SOP Instance UID: ${invalid}`) };
    }
    const sourceAeTitle = request.association.callingAeTitle.trim();
    // Never acknowledge what a query could not find: while the index cannot be written, refuse first (the server drains the data set).
    const refusal = this.cache.storeRefusal();
    if (refusal) return this.indexRefusal(refusal, sourceAeTitle);
    let writer;
    try {
      writer = this.cache.createTempWriter({
        meta: { sopClassUid: request.sopClassUid, sopInstanceUid: request.sopInstanceUid, transferSyntaxUid: request.transferSyntaxUid, sourceAeTitle },
      });
    } catch (e) {
      if (isOutOfSpace(e)) return this.outOfSpace(e, sourceAeTitle); // no inode left for the temp file
      throw e;
    }
    try {
      await receiveInto(request.dataSet, writer);
    } catch (e) {
      await writer.discard().catch(() => undefined);
      if (isOutOfSpace(e)) return this.outOfSpace(e, sourceAeTitle);
      throw e;
    }
    let header;
    try {
      header = await writer.header();
    } catch (e) {
      await writer.discard().catch(() => undefined);
      if (isOutOfSpace(e)) return this.outOfSpace(e, sourceAeTitle);
      return { status: Status.CannotUnderstand, errorComment: truncate(`Cannot read the data set: ${(e as Error).message}`) };
    }
    const { instance } = header.fields;
    const mismatch =
      stripUid(instance.SOPClassUID) !== stripUid(request.sopClassUid)
        ? `SOP Class UID ${instance.SOPClassUID || '(none)'} differs from the command's ${request.sopClassUid}`
        : stripUid(instance.SOPInstanceUID) !== stripUid(request.sopInstanceUid)
          ? `SOP Instance UID ${instance.SOPInstanceUID || '(none)'} differs from the command's ${request.sopInstanceUid}`
          : undefined;
    if (mismatch) {
      await writer.discard().catch(() => undefined);
      return { status: Status.DataSetDoesNotMatchSOPClass, errorComment: truncate(mismatch) };
    }
    const compressed = await this.compressed(writer, header, request, sourceAeTitle);
    if (compressed) ({ writer, header } = compressed);
    try {
      const placed = await writer.place({ header, expectedSopInstanceUid: request.sopInstanceUid, sourceAeTitle });
      const stored = (result: StoreResult) =>
        this.onStored?.({
          association: request.association,
          sopInstanceUid: result.sopInstanceUid,
          studyInstanceUid: result.studyInstanceUid,
          seriesInstanceUid: header.fields.series.SeriesInstanceUID,
          duplicate: result.duplicate,
          ...(request.moveOriginatorAeTitle ? { moveOriginatorAeTitle: request.moveOriginatorAeTitle } : {}),
        });
      // The file is in place and the room for it made: with deferred durability the sender is
      // answered first, and the row joins the next group commit of the index (file-store.ts).
      if (placed.mayIndexLater) return { status: Status.Success, afterResponse: () => placed.indexSoon(stored) };
      stored(placed.index(false));
      return { status: Status.Success };
    } catch (e) {
      if (isOutOfSpace(e)) return this.outOfSpace(e, sourceAeTitle);
      if (e instanceof CacheError && e.code === 'EUID')
        return { status: Status.DataSetDoesNotMatchSOPClass, errorComment: truncate(e.message.replace(/^The data set's /, '')) };
      if (e instanceof CacheError && e.code === 'EMISMATCH') return { status: Status.DataSetDoesNotMatchSOPClass, errorComment: truncate(e.message) };
      if (e instanceof CacheError && e.code === 'EINVALID') return { status: Status.CannotUnderstand, errorComment: truncate(e.message) };
      // the index failed under this store (its file was removed): refused, as the next store would be
      const now = this.cache.storeRefusal();
      if (now) return this.indexRefusal(now, sourceAeTitle);
      if (e instanceof CacheError && e.code === 'EINDEX') return this.indexRefusal(e, sourceAeTitle);
      throw e;
    }
  }
}

/** Error Comments (LO, at most 64 characters) of the A700 cases, by error code. */
const NO_ROOM: Record<string, string> = {
  EQUOTA: 'Cache size limit reached and no study can be evicted',
  EFREESPACE: 'Disk below the free space kept; no study can be evicted',
  ENOSPC: 'Disk full on the receiving workstation (ENOSPC)',
  EDQUOT: 'Disk quota exceeded on the receiving workstation (EDQUOT)',
};

/** Error Comment (0000,0902) is LO: at most 64 characters. */
function truncate(s: string): string {
  return s.length <= 64 ? s : `${s.slice(0, 61)}...`;
}

/** The identifier's keys as the cache's FindKeys (keyword → string values). */
export function findKeysOf(identifier: DataSet): FindKey[] {
  const keys: FindKey[] = [];
  for (const [t, el] of identifier) {
    if (t === QUERY_RETRIEVE_LEVEL_TAG || t === SPECIFIC_CHARACTER_SET || (t & 0xffff) === 0) continue;
    const keyword = keywordOf(t);
    if (!keyword || el.vr === 'SQ' || !Array.isArray(el.value)) continue;
    keys.push({ keyword, value: getStrings(identifier, t) });
  }
  return keys;
}

/** A response identifier: the requested keys only, filled from the row (PS3.4 C.4.1.1.3.2). */
export function responseIdentifier(request: DataSet, row: Record<string, unknown>, level: string, retrieveAeTitle: string): DataSet {
  const out: DataSet = new Map();
  for (const [t, el] of request) {
    if (t === QUERY_RETRIEVE_LEVEL_TAG || t === SPECIFIC_CHARACTER_SET || (t & 0xffff) === 0) continue;
    const keyword = keywordOf(t);
    const v = keyword !== undefined ? row[keyword] : undefined;
    if (el.vr === 'SQ') out.set(t, { vr: 'SQ', value: [] });
    else if (v === undefined || v === null || v === '') out.set(t, { vr: el.vr, value: [] });
    else out.set(t, { vr: el.vr, value: el.vr === 'LT' || el.vr === 'ST' || el.vr === 'UT' ? [String(v)] : String(v).split('\\') });
  }
  out.set(QUERY_RETRIEVE_LEVEL_TAG, { vr: 'CS', value: [level] });
  out.set(RETRIEVE_AE_TITLE, { vr: 'AE', value: [retrieveAeTitle] });
  markCharacterSet(out);
  return out;
}

/** Query SCP over the cache. */
export class CacheFindHandler implements FindHandler {
  constructor(
    private readonly cache: Cache,
    private readonly aeTitle: string,
    private readonly options: { caseInsensitivePN?: boolean } = {},
  ) {}

  async *find(request: FindRequest): AsyncIterable<DataSet> {
    const model = queryModelForSopClass(request.sopClassUid);
    const level = getStrings(request.identifier, QUERY_RETRIEVE_LEVEL_TAG)[0]?.trim().toUpperCase() ?? '';
    if (!model || !isQueryLevel(level)) throw new DimseStatusError(Status.IdentifierDoesNotMatchSOPClass, 'Unknown model or level');
    const rows = this.cache.find(level, model.model, findKeysOf(request.identifier), { caseInsensitivePN: this.options.caseInsensitivePN ?? true });
    try {
      for (const row of rows) {
        if (request.signal.aborted) break;
        yield responseIdentifier(request.identifier, row, level, this.aeTitle);
      }
    } finally {
      rows.return?.();
    }
  }
}

/** Retrieve SCP over the cache; C-MOVE destinations are the configured nodes. */
export class CacheRetrieveHandler implements RetrieveHandler {
  /** `nodes` is asked at each C-MOVE, so nodes added while the server runs are known. */
  constructor(
    private readonly cache: Cache,
    private readonly nodes: () => readonly RemoteNode[] | Promise<readonly RemoteNode[]>,
  ) {}

  async locate(request: RetrieveRequest): Promise<InstanceSource[]> {
    const model = queryModelForSopClass(request.sopClassUid);
    const level = getStrings(request.identifier, QUERY_RETRIEVE_LEVEL_TAG)[0]?.trim().toUpperCase() ?? '';
    if (!model || !isQueryLevel(level)) throw new DimseStatusError(Status.IdentifierDoesNotMatchSOPClass, 'Unknown model or level');
    const key = uniqueKey(model.model, level);
    if (!key) throw new DimseStatusError(Status.IdentifierDoesNotMatchSOPClass, `No ${level} level in this model`);
    const uids = getStrings(request.identifier, key.tag)
      .map(stripUid)
      .filter((u) => u !== '');
    const rows = this.cache.instancesFor(level, uids);
    // last access time of the studies served (as dcm4chee records study access time)
    this.cache.touch([...new Set(rows.map((r) => r.studyInstanceUid))]);
    return rows.map(({ sopClassUid, sopInstanceUid, transferSyntaxUid, path, dataSetOffset, dataSetLength }) => ({
      sopClassUid,
      sopInstanceUid,
      transferSyntaxUid,
      path,
      dataSetOffset,
      dataSetLength,
    }));
  }

  async destination(aeTitle: string): Promise<MoveDestination | undefined> {
    const wanted = aeTitle.trim();
    const node = (await this.nodes()).find((n) => n.aeTitle === wanted);
    return node ? { ...dicomNodeOf(node), ...(node.outgoing ? { outgoing: node.outgoing } : {}) } : undefined;
  }
}
