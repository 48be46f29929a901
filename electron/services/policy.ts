/**
 * The association policy of our SCP (electron/dimse AssociationPolicy) built from the
 * configuration: our AE title, who may call (PS3.8 §7.1.1: otherwise rejected with
 * calling-AE-title-not-recognized) and the association limits.
 */
import type { Config } from '../../shared/config.js';
import type { AssociationPolicy } from '../dimse/handlers.js';

/** Builds the policy; `aeTitle` overrides the configured local AE title (e.g. `serve --aet`). */
export function associationPolicy(config: Config, aeTitle = config.local.aeTitle): AssociationPolicy {
  const { mode } = config.callingAePolicy;
  const allowed = new Set<string>(
    mode === 'list' ? (config.callingAePolicy.aeTitles ?? []) : mode === 'configured' ? config.nodes.map((n) => n.aeTitle) : [],
  );
  // A workstation always accepts its own AE title: `priors move` sends with the served title.
  allowed.add(aeTitle);
  const policy: AssociationPolicy = {
    aeTitle,
    acceptCallingAeTitle: (callingAeTitle: string) => mode === 'any' || allowed.has(callingAeTitle.trim()),
    maxAssociations: config.maxAssociations,
  };
  if (config.maxAssociationsPerCallingAe !== undefined) policy.maxAssociationsPerCallingAe = config.maxAssociationsPerCallingAe;
  return policy;
}
