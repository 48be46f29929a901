/**
 * Which series of a prior study to show beside the current one, without a DOM: each candidate
 * is scored against the series on screen by what a radiologist compares — modality, body part,
 * the plane (the normal of Image Orientation (Patient), PS3.3 C.7.6.2.1.1), the words of the
 * series description and the slice thickness — and the best one wins, with the reasons said.
 * Series without images (reports, plans) never win; of equal scores, the one with more images
 * (the main stack rather than a scout).
 */
import { IMAGE_LESS } from '../../lib/main-series.js';

/** What the choice looks at, per series: from the cache's records and, when loaded, one image's header. */
export interface SeriesTraits {
  SeriesInstanceUID: string;
  Modality?: string;
  BodyPartExamined?: string;
  SeriesDescription?: string;
  /** Image Orientation (Patient): the row then the column direction cosines. */
  orientation?: readonly number[];
  /** Slice Thickness in mm. */
  sliceThickness?: number;
  /** Images in the series. */
  images: number;
}

/** A candidate's score against the current series, and why. */
export interface SeriesMatch {
  series: SeriesTraits;
  score: number;
  /** Plain phrases, e.g. "same modality (CT)", "axial like the current". */
  reasons: string[];
}

const WEIGHTS = { modality: 40, bodyPart: 15, plane: 25, words: 15, thickness: 10 } as const;

/** The plane of an orientation, by the patient axis its normal lies along (within about 25°). */
export type Plane = 'axial' | 'coronal' | 'sagittal' | 'oblique';

/** The unit normal of an Image Orientation (Patient): row × column; undefined when it is not six finite numbers. */
export function normalOf(o: readonly number[] | undefined): [number, number, number] | undefined {
  if (!o || o.length < 6 || o.slice(0, 6).some((v) => !Number.isFinite(v))) return undefined;
  const [r0, r1, r2, c0, c1, c2] = o as [number, number, number, number, number, number];
  const n: [number, number, number] = [r1 * c2 - r2 * c1, r2 * c0 - r0 * c2, r0 * c1 - r1 * c0];
  const len = Math.hypot(...n);
  return len > 1e-6 ? [n[0] / len, n[1] / len, n[2] / len] : undefined;
}

/** The plane of a series from its orientation, or undefined when it has none. */
export function planeOf(o: readonly number[] | undefined): Plane | undefined {
  const n = normalOf(o)?.map(Math.abs);
  if (!n) return undefined;
  if (n[2]! > 0.9) return 'axial';
  if (n[1]! > 0.9) return 'coronal';
  if (n[0]! > 0.9) return 'sagittal';
  return 'oblique';
}

/** The words of a description that say something (upper case, no punctuation, no bare series numbers). */
export function descriptionWords(text: string | undefined): Set<string> {
  return new Set(
    (text ?? '')
      .toUpperCase()
      .split(/[^A-Z0-9.]+/)
      .map((w) => w.replace(/^\.+|\.+$/g, ''))
      .filter((w) => w.length > 1 && !/^\d+$/.test(w)),
  );
}

const norm = (s: string | undefined): string => (s ?? '').trim().toUpperCase();

/** Scores `candidate` against `current`: higher is closer; reasons name what matched or differed. */
export function scoreSeries(current: SeriesTraits, candidate: SeriesTraits): SeriesMatch {
  const reasons: string[] = [];
  let score = 0;
  const [m0, m1] = [norm(current.Modality), norm(candidate.Modality)];
  if (m0 && m0 === m1) {
    score += WEIGHTS.modality;
    reasons.push(`same modality (${m1})`);
  } else if (m1) reasons.push(`another modality (${m1})`);
  const [b0, b1] = [norm(current.BodyPartExamined), norm(candidate.BodyPartExamined)];
  if (b0 && b0 === b1) {
    score += WEIGHTS.bodyPart;
    reasons.push(`same body part (${b1})`);
  } else if (b0 && b1) {
    score -= WEIGHTS.bodyPart / 2;
    reasons.push(`another body part (${b1})`);
  }
  const [n0, n1] = [normalOf(current.orientation), normalOf(candidate.orientation)];
  if (n0 && n1) {
    // |cos| of the angle between the slice normals: 1 for parallel planes
    const cos = Math.abs(n0[0] * n1[0] + n0[1] * n1[1] + n0[2] * n1[2]);
    const plane = planeOf(candidate.orientation)!;
    if (cos > 0.9) {
      score += WEIGHTS.plane * cos;
      reasons.push(`${plane} like the current`);
    } else {
      score -= WEIGHTS.plane / 2;
      reasons.push(`${plane}, the current is ${planeOf(current.orientation)}`);
    }
  }
  const [w0, w1] = [descriptionWords(current.SeriesDescription), descriptionWords(candidate.SeriesDescription)];
  if (w0.size && w1.size) {
    const shared = [...w1].filter((w) => w0.has(w));
    const jaccard = shared.length / new Set([...w0, ...w1]).size;
    score += WEIGHTS.words * jaccard;
    if (shared.length) reasons.push(`description shares ${shared.map((w) => `"${w}"`).join(', ')}`);
  }
  const [t0, t1] = [current.sliceThickness, candidate.sliceThickness];
  if (t0 && t1 && t0 > 0 && t1 > 0) {
    const ratio = Math.min(t0, t1) / Math.max(t0, t1);
    score += WEIGHTS.thickness * (ratio >= 0.9 ? 1 : ratio * ratio);
    reasons.push(ratio >= 0.9 ? `${fmtMm(t1)} slices like the current` : `${fmtMm(t1)} slices, the current ${fmtMm(t0)}`);
  }
  return { series: candidate, score, reasons };
}

function fmtMm(mm: number): string {
  return `${Number(mm.toFixed(2))} mm`;
}

/**
 * The candidate that best matches `current`: the highest score, then the most images; series
 * without images only when there is nothing else. Undefined for no candidates.
 */
export function bestMatch(current: SeriesTraits, candidates: readonly SeriesTraits[]): SeriesMatch | undefined {
  const withImages = candidates.filter((c) => !IMAGE_LESS.has(norm(c.Modality)) && c.images > 0);
  const pool = withImages.length ? withImages : candidates;
  return pool.map((c) => scoreSeries(current, c)).sort((a, b) => b.score - a.score || b.series.images - a.series.images)[0];
}

/** The sentence the prior pane shows: "Matches the current series: same modality (CT), axial like the current, …". */
export function matchText(m: SeriesMatch): string {
  return m.reasons.length
    ? `Matches the current series: ${m.reasons.join(', ')}.`
    : 'Nothing to compare with the current series: the series with the most images.';
}
