/**
 * The viewer's API entries over the cache: what a series holds, for the image loader's
 * imageIds. Geometry (ImagePositionPatient, orientation) is not indexed: the viewer sorts by it
 * from the headers its loader parses, falling back to InstanceNumber.
 */
import type { RequestOf, ResponseOf } from '../../shared/api/contract.js';
import type { Cache } from '../cache/index.js';

/** `viewer.instances`: the instances of a series of the cache, in InstanceNumber order. */
export function viewerInstances(cache: Cache, req: RequestOf<'viewer.instances'>): ResponseOf<'viewer.instances'> {
  const rows = cache.instances(req.SeriesInstanceUID).filter((r) => r.StudyInstanceUID === req.StudyInstanceUID);
  return {
    instances: rows.map((r) => ({
      SOPInstanceUID: r.SOPInstanceUID, SOPClassUID: r.SOPClassUID,
      ...(r.InstanceNumber !== undefined ? { InstanceNumber: r.InstanceNumber } : {}),
      transferSyntaxUid: r.transferSyntaxUid,
    })),
  };
}
