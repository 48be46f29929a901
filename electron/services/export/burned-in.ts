/**
 * Which instances a de-identified export leaves out, and why. The Basic Profile cleans attributes,
 * not pixels or documents (PS3.15 E.1.1: an instance whose pixels hold identifying text needs
 * the Clean Pixel Data Option, which Priors does not offer), so an instance is left out when:
 * - Burned In Annotation (0028,0301) is YES (PS3.3 C.7.6.1.1.5);
 * - it is absent (or empty) and the SOP Class is one whose images usually carry burned-in text:
 *   ultrasound, secondary capture (screen grabs, scanned documents), visible-light photography
 *   and video, ophthalmic photography — where its absence says nothing;
 * - it is an encapsulated document (PDF, CDA, 3D models): its content is opaque to the profile;
 * - it is a structured report or key object selection: the profile replaces the whole Content
 *   Sequence (E.1-1 D), so what would be written is an empty report that still looks like one.
 * The first two are burned-in text, which the user may accept for an export (the result then
 * counts the instances included so); the last two are never exported de-identified.
 */
import { type DataSet, getStrings } from '../../../shared/dicom/dataset.js';
import { uidName } from '../../../shared/dicom/uids.js';
import { BURNED_IN_ANNOTATION } from '../../../shared/dicom/tags.js';

const STORAGE = '1.2.840.10008.5.1.4.1.1.';

/** Storage SOP Classes (under 1.2.840.10008.5.1.4.1.1.) whose images usually carry burned-in text. */
const USUALLY_BURNED_IN: ReadonlySet<string> = new Set(
  [
    '3.1',
    '6',
    '6.1',
    '6.2', // ultrasound (incl. retired multi-frame and single-frame)
    '7',
    '7.1',
    '7.2',
    '7.3',
    '7.4', // secondary capture
    '77.1',
    '77.1.1',
    '77.1.1.1',
    '77.1.2',
    '77.1.2.1',
    '77.1.4',
    '77.1.4.1',
    '77.2',
    '77.1.7', // VL photographs and video, dermoscopy
    '77.1.5.1',
    '77.1.5.2',
    '77.1.5.5',
    '77.1.5.6', // ophthalmic photography
    '12.1',
    '12.2',
    '12.3', // X-ray angiography and fluoroscopy (annotated by many modalities)
  ].map((s) => STORAGE + s),
);

/** Why a de-identified export leaves an instance out, and whether the reason is burned-in text (which a user may accept). */
export interface Refusal {
  reason: string;
  /** The pixels may hold identifying text: left out unless the export allows burned-in annotation. */
  burnedIn: boolean;
}

/**
 * Why this instance cannot be exported de-identified, as the end of a sentence ("… is left out
 * because <reason>"), or undefined when it can. With `allowBurnedIn`, an instance whose only
 * problem is burned-in text is not refused (the caller says it was included).
 */
export function deidentificationRefusal(sopClassUid: string, header: DataSet, o: { allowBurnedIn?: boolean } = {}): string | undefined {
  const r = refusalOf(sopClassUid, header);
  return r && !(r.burnedIn && o.allowBurnedIn) ? r.reason : undefined;
}

/** The refusal of {@link deidentificationRefusal}, with its kind. */
export function refusalOf(sopClassUid: string, header: DataSet): Refusal | undefined {
  const burnedIn = getStrings(header, BURNED_IN_ANNOTATION)[0]?.trim().toUpperCase();
  const name = uidName(sopClassUid);
  if (sopClassUid.startsWith(`${STORAGE}104.`)) return { reason: `an encapsulated document (${name}) is not de-identified inside`, burnedIn: false };
  if (sopClassUid.startsWith(`${STORAGE}88.`))
    return { reason: `the Basic Profile replaces the content of a ${name} document, which would leave it empty`, burnedIn: false };
  if (burnedIn === 'YES')
    return { reason: 'its pixels hold burned-in annotation (Burned In Annotation is YES), which de-identification does not remove', burnedIn: true };
  if (burnedIn !== 'NO' && USUALLY_BURNED_IN.has(sopClassUid)) {
    return { reason: `${name} images usually carry burned-in text and this one does not say it has none (Burned In Annotation is absent)`, burnedIn: true };
  }
  return undefined;
}
