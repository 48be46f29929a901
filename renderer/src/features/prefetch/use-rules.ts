/**
 * The prefetch rules and the synonym table (prefetch.rules), and their edits: each save
 * answers the table as the main process now holds it, which replaces the one shown; a
 * refusal comes back as the API's sentence for the form to show.
 */
import { useCallback, useEffect, useState } from 'react';
import type { ApiError } from '../../../../shared/api/contract.js';
import type { BodyPartSynonyms, PrefetchRule } from '../../../../shared/prefetch.js';
import { useLoad, useTransport } from '../../app/api-context.js';

export interface RulesState {
  rules: PrefetchRule[];
  synonyms: BodyPartSynonyms;
  loaded: boolean;
  error?: ApiError;
  reload(): void;
  /** Saves a rule (a rename when `previousName` differs); the error, if refused. */
  saveRule(rule: PrefetchRule, previousName?: string): Promise<ApiError | undefined>;
  deleteRule(name: string): Promise<ApiError | undefined>;
  saveSynonyms(groups: BodyPartSynonyms): Promise<ApiError | undefined>;
}

export function useRules(): RulesState {
  const transport = useTransport();
  const loaded = useLoad('prefetch.rules', {});
  const [rules, setRules] = useState<PrefetchRule[]>([]);
  const [synonyms, setSynonyms] = useState<BodyPartSynonyms>([]);
  useEffect(() => {
    if (!loaded.value) return;
    setRules(loaded.value.rules);
    setSynonyms(loaded.value.synonyms);
  }, [loaded.value]);

  const saveRule = useCallback(
    async (rule: PrefetchRule, previousName?: string) => {
      const r = await transport.call('prefetch.saveRule', { rule, ...(previousName !== undefined ? { previousName } : {}) });
      if (!r.ok) return r.error;
      setRules(r.value.rules);
      return undefined;
    },
    [transport],
  );

  const deleteRule = useCallback(
    async (name: string) => {
      const r = await transport.call('prefetch.deleteRule', { name });
      if (!r.ok) return r.error;
      setRules((list) => list.filter((x) => x.name !== name));
      return undefined;
    },
    [transport],
  );

  const saveSynonyms = useCallback(
    async (groups: BodyPartSynonyms) => {
      const r = await transport.call('prefetch.saveSynonyms', { synonyms: groups });
      if (!r.ok) return r.error;
      setSynonyms(r.value.synonyms);
      return undefined;
    },
    [transport],
  );

  return {
    rules,
    synonyms,
    loaded: loaded.value !== undefined,
    ...(loaded.error ? { error: loaded.error } : {}),
    reload: loaded.reload,
    saveRule,
    deleteRule,
    saveSynonyms,
  };
}
