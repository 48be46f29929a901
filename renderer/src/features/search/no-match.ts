/**
 * The sentence of a search that found nothing, without a DOM: what was searched where, and how
 * to widen it (the date range first, since a preset is the criterion most often too narrow).
 */
import type { SearchSource } from '../../../../shared/api/contract.js';
import { DATE_PRESETS } from './date-presets.js';
import type { SearchForm } from './search-form.js';

/** Where a source searched, in words. */
function whereText(source: SearchSource): string {
  switch (source.kind) {
    case 'local':
      return 'the local cache';
    case 'node':
      return source.node;
    case 'all':
      return 'the archives and the local cache';
    case 'nodes':
      return [...source.nodes, ...(source.cache ? ['the local cache'] : [])].join(', ');
    default:
      return 'the nodes searched';
  }
}

/** The date criterion in words, or undefined for any date. */
function dateText(form: SearchForm): string | undefined {
  if (form.datePreset === 'any') return undefined;
  if (form.datePreset === 'custom') {
    const { from, to } = form.customRange;
    if (!from && !to) return undefined;
    return from && to ? `study date ${from} to ${to}` : from ? `study date from ${from}` : `study date up to ${to}`;
  }
  return `study date ${(DATE_PRESETS.find((p) => p.preset === form.datePreset)?.label ?? form.datePreset).toLowerCase()}`;
}

/** "Nothing found on pacs for patient name DOE, study date today. Widen the date range: …" */
export function noMatchText(form: SearchForm, source: SearchSource): string {
  const criteria = [
    form.patientName.trim() && `patient name ${form.patientName.trim()}`,
    form.patientId.trim() && `patient ID ${form.patientId.trim()}`,
    form.accessionNumber.trim() && `accession ${form.accessionNumber.trim()}`,
    dateText(form),
    form.modalities.length > 0 && `modality ${form.modalities.join(' or ')}`,
    form.studyDescription.trim() && `description ${form.studyDescription.trim()}`,
    form.referringPhysician.trim() && `referring physician ${form.referringPhysician.trim()}`,
  ].filter((c): c is string => typeof c === 'string' && c !== '');
  const searched = `Nothing found on ${whereText(source)}${criteria.length ? ` for ${criteria.join(', ')}` : ''}.`;
  const tips: string[] = [];
  if (dateText(form)) tips.push('widen the date range (Any searches every year)');
  const name = form.patientName.trim();
  if (name && !/[*?]/.test(name)) tips.push(`add a wildcard (${name}*)`);
  if (form.modalities.length > 0) tips.push('clear the modality buttons');
  if (tips.length === 0) tips.push('check the spelling, or search with fewer criteria');
  return `${searched} To widen it: ${tips.join('; ')}.`;
}
