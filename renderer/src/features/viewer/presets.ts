/** Window/level presets (width/center in modality units, i.e. HU for CT). */
export const CT_PRESETS: readonly { name: string; width: number; center: number }[] = [
  { name: 'Brain', width: 80, center: 40 },
  { name: 'Lung', width: 1500, center: -600 },
  { name: 'Abdomen', width: 400, center: 50 },
  { name: 'Bone', width: 1800, center: 400 },
];

/** A VOI range from a window width and center (PS3.3 C.11.2.1.2.1, linear function). */
export function voiRange(width: number, center: number): { lower: number; upper: number } {
  return { lower: center - 0.5 - (width - 1) / 2, upper: center - 0.5 + (width - 1) / 2 };
}

/** Width and center of a VOI range (the inverse of {@link voiRange}). */
export function windowOf(range: { lower: number; upper: number }): { width: number; center: number } {
  return { width: range.upper - range.lower + 1, center: (range.upper + range.lower + 1) / 2 };
}
