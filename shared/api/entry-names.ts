/**
 * The names of the API's entries, in contract order, without their payload schemas: the preload
 * and the IPC router need only the names, and a sandboxed preload should not carry a schema
 * library. shared/api/entries.ts holds each name's schema. Pure code: no Node, no DOM.
 */
import type { EntryName } from './contract.js';

// A record, so that a name the contract adds or drops fails to compile here.
const ENTRIES: { readonly [K in EntryName]: true } = {
  'settings.get': true,
  'settings.save': true,
  'nodes.list': true,
  'nodes.save': true,
  'nodes.delete': true,
  'nodes.test': true,
  'search.start': true,
  'search.cancel': true,
  'search.series': true,
  'cache.stats': true,
  'cache.doctor': true,
  'cache.patients': true,
  'cache.studies': true,
  'cache.series': true,
  'viewer.instances': true,
  'viewer.hold': true,
  'viewer.release': true,
  'viewer.priors': true,
  'cache.delete': true,
  'cache.import': true,
  'cache.export': true,
  'cache.send': true,
  'transfers.list': true,
  'transfers.add': true,
  'transfers.cancel': true,
  'transfers.retry': true,
  'activity.query': true,
  'prefetch.rules': true,
  'prefetch.saveRule': true,
  'prefetch.deleteRule': true,
  'prefetch.saveSynonyms': true,
  'prefetch.run': true,
  'prefetch.runs': true,
  'prefetch.pollWorklist': true,
  'audit.query': true,
  'audit.export': true,
  'logs.tail': true,
  'diagnostics.save': true,
};

/** The entry names, in contract order. */
export const ENTRY_NAMES: readonly EntryName[] = Object.freeze(Object.keys(ENTRIES) as EntryName[]);

/** Whether `name` is an entry of the contract. */
export function isEntryName(name: string): name is EntryName {
  return Object.prototype.hasOwnProperty.call(ENTRIES, name);
}
