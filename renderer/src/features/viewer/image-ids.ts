/**
 * imageIds of cached instances: the viewer knows only these (docs/architecture.md, rule 8). Over the web host
 * they are WADO-URI addresses carrying the page's session token; in the desktop app they use
 * the priors-wado: custom protocol (electron/shell/protocol.ts), which needs no token.
 */

/** UIDs of one instance. */
export interface InstanceRef {
  StudyInstanceUID: string;
  SeriesInstanceUID: string;
  SOPInstanceUID: string;
}

/** The page's address; through globalThis so that the node tests of these pure functions type-check. */
function here(): { protocol: string; origin: string; search: string } {
  return (globalThis as unknown as { location: { protocol: string; origin: string; search: string } }).location;
}

/** The base of WADO addresses for this window (origin, or the custom protocol). */
export function wadoBase(loc: { protocol: string; origin: string } = here()): string {
  return loc.protocol === 'http:' || loc.protocol === 'https:' ? loc.origin : 'priors-wado://cache';
}

/** The WADO-URI imageId (cornerstone's `wadouri:` scheme) of an instance (PS3.18 9). */
export function wadoUriImageId(ref: InstanceRef, base = wadoBase(), token = new URLSearchParams(here().search).get('token')): string {
  const q = new URLSearchParams({
    requestType: 'WADO',
    studyUID: ref.StudyInstanceUID,
    seriesUID: ref.SeriesInstanceUID,
    objectUID: ref.SOPInstanceUID,
    contentType: 'application/dicom',
  });
  if (token && base.startsWith('http')) q.set('token', token);
  return `wadouri:${base}/wado?${q.toString()}`;
}

/**
 * The WADO-RS address of the series a WADO-URI imageId belongs to (PS3.18 10.4.1.1.2), with the
 * same token, and the instance's SOP Instance UID: the viewer fetches a whole stack in one
 * request. Undefined for an imageId of another kind.
 */
export function seriesRetrieveOf(imageId: string): { url: string; sop: string } | undefined {
  if (!imageId.startsWith('wadouri:')) return undefined;
  const at = imageId.indexOf('/wado?');
  if (at === -1) return undefined;
  const q = new URLSearchParams(imageId.slice(at + '/wado?'.length));
  const [study, series, sop] = [q.get('studyUID'), q.get('seriesUID'), q.get('objectUID')];
  if (!study || !series || !sop) return undefined;
  const token = q.get('token');
  const base = imageId.slice('wadouri:'.length, at);
  const url = `${base}/dicom-web/studies/${encodeURIComponent(study)}/series/${encodeURIComponent(series)}${token ? `?token=${encodeURIComponent(token)}` : ''}`;
  return { url, sop };
}
