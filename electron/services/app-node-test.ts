/**
 * The "Test" of a node: C-ECHO, then a small C-FIND (one match), then a retrieve of one
 * instance to this workstation by the node's method (C-MOVE to our SCP, or C-GET), verified by
 * its arrival. Each step reports its outcome; a failure carries the plain-language fix.
 */
import type { NodeTestStep } from '../../shared/api.js';
import type { Config, RemoteNode } from '../../shared/config.js';
import { diagnose } from '../../shared/diagnostics.js';
import { toApiError } from '../../shared/errors.js';
import { type DataSet, getStrings } from '../../shared/dicom/dataset.js';
import { QUERY_MODELS, uniqueKey } from '../../shared/dicom/query.js';
import { Status } from '../../shared/dicom/status.js';
import { echo } from '../dimse/scu.js';
import type { AppEnv } from './app-env.js';
import { ApiFailure, errorOf } from './app-result.js';
import { describeStatus } from './diagnose.js';
import { CacheStoreHandler, type StoredEvent } from './local-scp.js';
import { searchRemote, searchSucceeded } from './query.js';
import { arrivalFilter, eventArrivals, retrieve } from './retrieve.js';

type StepResult = Omit<NodeTestStep, 'step' | 'elapsedMs'>;

async function timed(step: NodeTestStep['step'], work: () => Promise<StepResult>): Promise<NodeTestStep> {
  const started = performance.now();
  const r = await work();
  return { step, elapsedMs: Math.round(performance.now() - started), ...r };
}

const skipped = (message: string): StepResult => ({ outcome: 'skipped', message });

/** Runs the steps in order; a failed step skips the ones after it. */
export async function testNode(env: AppEnv, config: Config, node: RemoteNode): Promise<{ ok: boolean; steps: NodeTestStep[] }> {
  const scu = env.scu(config);
  const steps: NodeTestStep[] = [];
  steps.push(await timed('echo', async () => {
    try {
      const r = await echo(node, scu);
      if (r.status === Status.Success) return { outcome: 'ok', message: `${node.aeTitle} answered the C-ECHO in ${r.elapsedMs} ms.` };
      const d = diagnose(describeStatus('echo', r.status, undefined, await env.failure(config, node, 'echo')));
      return { outcome: 'failed', message: d.sentence, code: d.code };
    } catch (err) {
      const e = errorOf(err, await env.failure(config, node, 'echo'));
      return { outcome: 'failed', message: e.message, code: e.code };
    }
  }));
  let target: DataSet | undefined;
  if (steps[0]!.outcome !== 'ok') steps.push({ step: 'find', elapsedMs: 0, ...skipped('Skipped: the C-ECHO failed.') });
  else {
    steps.push(await timed('find', async () => {
      try {
        target = await findOneInstance(env, config, node);
        return { outcome: 'ok', message: target ? `${node.aeTitle} answered the C-FIND.` : `${node.aeTitle} answered the C-FIND but holds no instance to retrieve.` };
      } catch (err) {
        const e = errorOf(err, await env.failure(config, node, 'find'));
        return { outcome: 'failed', message: e.message, code: e.code };
      }
    }));
  }
  const found = target;
  if (!found) {
    const why = steps[1]!.outcome !== 'ok' ? 'Skipped: the C-FIND failed.'
      : QUERY_MODELS[node.model].levels.includes('IMAGE') ? 'Skipped: the node holds nothing to retrieve.'
        : 'Skipped: the Patient/Study Only model has no instance level to retrieve one instance from.';
    steps.push({ step: 'retrieve', elapsedMs: 0, ...skipped(why) });
  } else {
    steps.push(await timed('retrieve', () => retrieveOne(env, config, node, found)));
  }
  return { ok: steps.every((s) => s.outcome !== 'failed'), steps };
}

/** Walks the node's model down to one instance (one match per level); undefined when a level is empty. */
async function findOneInstance(env: AppEnv, config: Config, node: RemoteNode): Promise<DataSet | undefined> {
  const keys: DataSet = new Map();
  for (const level of QUERY_MODELS[node.model].levels) {
    const key = uniqueKey(node.model, level)!;
    const query: DataSet = new Map(keys);
    query.set(key.tag, { vr: key.vr, value: [] });
    const result = await searchRemote(node, { model: node.model, level, keys: query, limit: 1, defaultReturnKeys: false }, env.scu(config));
    if (!searchSucceeded(result)) {
      throw new ApiFailure(toApiError(diagnose(describeStatus('find', result.status, result.errorComment, await env.failure(config, node, 'find')))));
    }
    const row = result.rows[0];
    const value = row?.[key.keyword];
    if (!value) return undefined;
    keys.set(key.tag, { vr: key.vr, value: [value] });
  }
  return QUERY_MODELS[node.model].levels.includes('IMAGE') ? keys : undefined;
}

async function retrieveOne(env: AppEnv, config: Config, node: RemoteNode, identifier: DataSet): Promise<StepResult> {
  const { server, cache } = env.deps;
  const local = await env.local(config, node);
  const filter = arrivalFilter(identifier);
  const listeners = new Set<(e: StoredEvent) => void>();
  const method = node.method;
  if (method === 'move' && !server) return skipped('Skipped: this workstation\'s DICOM server is not running, so nothing can be moved to it.');
  const arrivals = method === 'move' ? eventArrivals(server!.storedListeners, filter, local.aeTitle) : eventArrivals(listeners, filter);
  const failure = await env.failure(config, node, method);
  try {
    const report = await retrieve({ node, method, model: node.model, level: 'IMAGE', identifier, destination: local.aeTitle }, {
      scu: env.scu(config), arrivals, local,
      ...(method === 'get' ? { store: new CacheStoreHandler(cache, (e) => { for (const l of listeners) l(e); }) } : {}),
    });
    const sop = getStrings(identifier, 0x00080018)[0] ?? '?';
    if (report.verdict === 'complete' && (report.arrived ?? 0) > 0) {
      return { outcome: 'ok', message: `One instance (${sop}) arrived by ${method === 'move' ? `C-MOVE to ${local.aeTitle}` : 'C-GET'}.` };
    }
    const d = report.diagnosis ?? { code: 'nothing-arrived', sentence: `${node.aeTitle} reported success but instance ${sop} did not arrive.` };
    return { outcome: 'failed', message: d.sentence, code: d.code };
  } catch (err) {
    const e = errorOf(err, failure);
    return { outcome: 'failed', message: e.message, code: e.code };
  }
}
