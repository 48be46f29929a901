/**
 * The series a study opens on in the viewer by itself, shared by the screens that open a study
 * (the viewer, and Search when it asks a retrieve to fetch that series first).
 */

/** Modalities that hold no image a stack could show. */
export const IMAGE_LESS: ReadonlySet<string> = new Set(['SR', 'PR', 'KO', 'RTPLAN', 'RTSTRUCT', 'REG', 'DOC']);

/** The image series with the most images (the main stack, not a scout); any series when none has images. */
export function mainSeries<T extends { Modality?: string | undefined; NumberOfSeriesRelatedInstances: number }>(series: readonly T[]): T | undefined {
  const images = series.filter((s) => !IMAGE_LESS.has((s.Modality ?? '').trim().toUpperCase()));
  return [...images].sort((a, b) => b.NumberOfSeriesRelatedInstances - a.NumberOfSeriesRelatedInstances)[0] ?? series[0];
}
