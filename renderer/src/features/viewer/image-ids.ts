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

/** The base of WADO addresses for this window (origin, or the custom protocol). */
export function wadoBase(loc: { protocol: string; origin: string } = window.location): string {
  return loc.protocol === 'http:' || loc.protocol === 'https:' ? loc.origin : 'priors-wado://cache';
}

/** The WADO-URI imageId (cornerstone's `wadouri:` scheme) of an instance (PS3.18 9). */
export function wadoUriImageId(ref: InstanceRef, base = wadoBase(), token = new URLSearchParams(window.location.search).get('token')): string {
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
