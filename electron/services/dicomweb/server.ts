/**
 * Priors as a DICOMweb origin server (PS3.18) over the local cache, independent of HTTP: QIDO-RS
 * (qido-answer.ts, the matching of our C-FIND SCP), WADO-RS (wado-answer.ts, streamed from the
 * files) and STOW-RS (stow-answer.ts, the store path and checks of our C-STORE SCP). A request is
 * let in by the same per-service access as a DIMSE caller from its address (access.ts:
 * callingAePolicy.services, Storage for STOW-RS and Query/Retrieve for the rest); what STOW-RS
 * stores is told to the listeners of the running SCP (audit trail, arrival of retrieves, prefetch),
 * each request as one association that ended.
 */
import { Readable } from 'node:stream';
import type { AssociationInfo, Transcoder } from '../../dimse/handlers.js';
import type { Cache } from '../../cache/index.js';
import type { RemoteNode } from '../../../shared/config.js';
import type { ServiceGate, ServiceClass } from '../local-scp/access.js';
import { normalizeAddress } from '../local-scp/policy.js';
import type { StoredEvent } from '../local-scp/handlers.js';
import { answerQido, qidoTarget, webRefusal, type WebAnswer } from './qido-answer.js';
import { answerStow, isStowPath } from './stow-answer.js';
import { answerWado, DICOMWEB_ROOT } from './wado-answer.js';
import { WadoService } from './wado.js';

/** The calling AE title recorded for what arrives by STOW-RS (audit trail, the instances' source). */
export const STOW_SOURCE_AE_TITLE = 'DICOMWEB';

/** Options of a {@link DicomwebServer}. */
export interface DicomwebServerOptions {
  cache: Cache;
  /** Our AE title (Retrieve AE Title of the matches, Called AE Title of the audit trail's stores). */
  aeTitle: string;
  caseInsensitivePN: boolean;
  /** Converts instances for a WADO-RS retrieve naming another transfer syntax than the stored one; absent = 406 then. */
  transcoder?: Transcoder;
  /** Who may use which service; absent = every caller the transport lets in. */
  gate?: Pick<ServiceGate, 'check'>;
  /**
   * The configured nodes: an HTTP caller from a node's host is checked as that node's AE title
   * (so "nodes" access lets a configured archive in by its address); others as {@link STOW_SOURCE_AE_TITLE}.
   */
  nodes?: () => readonly Pick<RemoteNode, 'aeTitle' | 'host'>[];
  /** Told about each instance stored by STOW-RS. */
  onStored?: (event: StoredEvent) => void;
  /** Told when a STOW-RS request that stored instances has ended. */
  onEnded?: (association: AssociationInfo, stores: number) => void;
  /** Told about a request refused by the gate (the sentence says how to allow it). */
  onRefused?: (sentence: string) => void;
}

/** One request, as the transport read it. */
export interface DicomwebRequest {
  method: string;
  url: URL;
  accept?: string | undefined;
  contentType?: string | undefined;
  body?: AsyncIterable<Uint8Array>;
  /** The caller's address and port. */
  peerAddress: string;
  peerPort: number;
  /** The base URL of the service as the caller reached it (e.g. http://127.0.0.1:8080/dicom-web). */
  baseUrl?: string;
}

/** Answers DICOMweb requests under {@link DICOMWEB_ROOT}. */
export class DicomwebServer {
  readonly wado: WadoService;
  private requests = 0;

  constructor(private readonly o: DicomwebServerOptions) {
    this.wado = new WadoService(o.cache);
  }

  /** Answers one request (its path under {@link DICOMWEB_ROOT}); never throws for bad input. */
  async answer(r: DicomwebRequest): Promise<WebAnswer> {
    const path = r.url.pathname.slice(DICOMWEB_ROOT.length);
    const peer = normalizeAddress(r.peerAddress);
    const node = this.o.nodes?.().find((n) => n.aeTitle !== undefined && n.host !== undefined && normalizeAddress(n.host) === peer);
    const association: AssociationInfo = {
      id: `web-${++this.requests}`,
      callingAeTitle: node?.aeTitle ?? STOW_SOURCE_AE_TITLE,
      calledAeTitle: this.o.aeTitle,
      peerAddress: r.peerAddress,
      peerPort: r.peerPort,
    };
    if (r.method === 'POST') {
      if (!isStowPath(path)) return webRefusal(405, 'Only STOW-RS (POST /studies or /studies/{study}) takes a POST.');
      const refused = await this.refused('storage', association);
      if (refused) return refused;
      let stores = 0;
      try {
        return await answerStow(
          {
            cache: this.o.cache,
            sourceAeTitle: STOW_SOURCE_AE_TITLE,
            ...(r.baseUrl ? { baseUrl: r.baseUrl } : {}),
            onStored: (p) => {
              stores++;
              this.o.onStored?.({
                association,
                sopInstanceUid: p.sopInstanceUid,
                studyInstanceUid: p.result.studyInstanceUid,
                seriesInstanceUid: p.seriesInstanceUid,
                duplicate: p.result.duplicate,
              });
            },
          },
          path,
          r.contentType,
          r.body ?? Readable.from([]),
        );
      } finally {
        if (stores > 0) {
          this.o.cache.flushIndex();
          this.o.onEnded?.(association, stores);
        }
      }
    }
    if (r.method !== 'GET' && r.method !== 'HEAD') return webRefusal(405, 'Method not allowed.');
    const refused = await this.refused('queryRetrieve', association);
    if (refused) return refused;
    if (qidoTarget(path)) {
      return answerQido(
        { cache: this.o.cache, aeTitle: this.o.aeTitle, caseInsensitivePN: this.o.caseInsensitivePN, ...(r.baseUrl ? { baseUrl: r.baseUrl } : {}) },
        path,
        r.url.searchParams,
        r.accept,
      );
    }
    return answerWado(this.wado, r.url, r.accept, this.o.transcoder);
  }

  private async refused(service: ServiceClass, association: AssociationInfo): Promise<WebAnswer | undefined> {
    const refusal = await this.o.gate?.check(service, association);
    if (!refusal) return undefined;
    this.o.onRefused?.(refusal.sentence);
    return webRefusal(403, `${refusal.sentence}.`);
  }
}
