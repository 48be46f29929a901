/**
 * Export of cached studies (export.ts): to a folder or a ZIP, as stored or as a General Purpose
 * medium with a DICOMDIR, identified or de-identified by the Basic Application Level
 * Confidentiality Profile (deidentify.ts).
 */
export { exportStudies, generatePseudonym, resolveOut, type ExportOptions, type ExportProgress, type ExportSource } from './export.js';
export type { ExportTranscoder } from './instance-output.js';
