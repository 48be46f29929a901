/**
 * The viewer's API entries over the cache: what a series holds, for the image loader's
 * imageIds. Geometry (ImagePositionPatient, orientation) is not indexed: the viewer sorts by it
 * from the headers its loader parses, falling back to InstanceNumber. And which of the patient's
 * other studies to open beside a study.
 */
import type { RequestOf, ResponseOf } from '../../shared/api/contract.js';
import { DEFAULT_RULE, DEFAULT_SYNONYMS } from '../../shared/prefetch.js';
import type { Cache } from '../cache/index.js';
import { rankCachedPriors } from '../services/prefetch/cached-priors.js';
import type { PrefetchService } from '../services/prefetch/index.js';
import { ApiFailure } from './result.js';

/** `viewer.instances`: the instances of a series of the cache, in InstanceNumber order. */
export function viewerInstances(cache: Cache, req: RequestOf<'viewer.instances'>): ResponseOf<'viewer.instances'> {
  const rows = cache.instances(req.SeriesInstanceUID).filter((r) => r.StudyInstanceUID === req.StudyInstanceUID);
  return {
    instances: rows.map((r) => ({
      SOPInstanceUID: r.SOPInstanceUID,
      SOPClassUID: r.SOPClassUID,
      ...(r.InstanceNumber !== undefined ? { InstanceNumber: r.InstanceNumber } : {}),
      transferSyntaxUid: r.transferSyntaxUid,
    })),
  };
}

/**
 * `viewer.priors`: the patient's other cached studies, those the prefetch rules keep for the
 * open one first (services/prefetch/cached-priors.ts); the shipped rule and synonyms when this
 * process keeps no prefetch state.
 */
export function viewerPriors(cache: Cache, prefetch: PrefetchService | undefined, req: RequestOf<'viewer.priors'>): ResponseOf<'viewer.priors'> {
  const rules = prefetch?.store.rules() ?? [DEFAULT_RULE];
  const synonyms = prefetch?.store.synonyms() ?? DEFAULT_SYNONYMS;
  const ranked = rankCachedPriors(cache, req.StudyInstanceUID, rules, synonyms);
  if (!ranked) throw new ApiFailure({ code: 'not-found', message: `The study ${req.StudyInstanceUID} is not in the local cache.` });
  const marks = prefetch?.store.marks(ranked.map((r) => r.study.StudyInstanceUID));
  return {
    priors: ranked.map((r) => {
      const mark = marks?.get(r.study.StudyInstanceUID);
      return { study: r.study, relevant: r.relevant, reason: r.reason, ...(mark ? { prefetched: mark } : {}) };
    }),
  };
}
