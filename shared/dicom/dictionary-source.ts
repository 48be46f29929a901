/**
 * The packed data dictionary the lookups in dictionary.ts are built from: dcmjs's (PS3.6,
 * 1 MB of pure data), read once, on the first lookup that needs it. The `priors` command's
 * bundle replaces this module with one that parses the same data from a JSON file beside the
 * bundle (scripts/bundle.mjs), so a command that never needs it does not load it.
 */
import dcmjsDictionary from 'dcmjs/dictionary';

/** One entry of the packed dictionary, keyed `(gggg,eeee)`. */
export interface PackedEntry {
  vr?: string;
  name?: string;
  version?: string;
}

export function loadDictionary(): Record<string, PackedEntry> {
  return dcmjsDictionary as Record<string, PackedEntry>;
}
