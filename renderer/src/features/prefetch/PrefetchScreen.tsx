/**
 * Prefetch: finding a patient's earlier studies ("priors") on the archives and retrieving them
 * before they are asked for. By hand for a patient (or a dry run that only explains), the last
 * runs with every study judged and why, the prefetch retrieves pending, the rules and the
 * body-part synonyms they use, and the worklist providers that start runs before a scan.
 */
import { useEffect, useMemo } from 'react';
import { ErrorLine } from '../../app/ErrorLine.js';
import { useLoad } from '../../app/api-context.js';
import { ManualRunPanel } from './ManualRunPanel.js';
import { PendingPanel } from './PendingPanel.js';
import { RulesPanel } from './RulesPanel.js';
import { RunsPanel } from './RunsPanel.js';
import { SynonymsPanel } from './SynonymsPanel.js';
import { usePrefetchJobs } from './use-prefetch-jobs.js';
import { useRules } from './use-rules.js';
import { WorklistPanel } from './WorklistPanel.js';

export function PrefetchScreen({ active }: { active: boolean }) {
  const nodes = useLoad('nodes.list', {});
  const rules = useRules();
  const pending = usePrefetchJobs(active);
  const nodeList = useMemo(() => nodes.value?.nodes ?? [], [nodes.value]);
  // coming back: nodes and rules may have changed elsewhere (Nodes & settings, the CLI)
  const reloadNodes = nodes.reload;
  const reloadRules = rules.reload;
  useEffect(() => {
    if (active) {
      reloadNodes();
      reloadRules();
    }
  }, [active, reloadNodes, reloadRules]);

  return (
    <div className="screen prefetch-screen">
      <h1 className="screen-title">Prefetch</h1>
      <ErrorLine error={nodes.error} />
      <ManualRunPanel />
      <PendingPanel jobs={pending.jobs} error={pending.error} />
      <RunsPanel active={active} />
      <RulesPanel state={rules} nodes={nodeList} />
      <SynonymsPanel state={rules} />
      <WorklistPanel nodes={nodeList} />
    </div>
  );
}
