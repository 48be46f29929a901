/**
 * The "Test" of a node: C-ECHO, then a small C-FIND (one match), then a retrieve of one
 * instance to this workstation by the node's method (C-MOVE to our SCP, or C-GET), verified by
 * its arrival. Each step reports its outcome; a failure carries the plain-language fix. The test
 * leaves the cache as it found it (the instance fetched is removed again unless it was there
 * before), and its retrieve is in the audit trail like any other.
 */
import type { NodeTestStep } from '../../shared/api/contract.js';
import { nodeProtocol, type Config, type RemoteNode } from '../../shared/config.js';
import { diagnose } from '../../shared/diagnostics.js';
import { toApiError } from '../../shared/errors.js';
import { type DataSet, getStrings } from '../../shared/dicom/dataset.js';
import { QUERY_MODELS, uniqueKey } from '../../shared/dicom/query.js';
import { Status } from '../../shared/dicom/status.js';
import { TRANSFER_SYNTAXES } from '../../shared/dicom/uids.js';
import { DEFAULT_GET_STORAGE_SOP_CLASSES, echo, type GetOptions, type ScuOptions } from '../dimse/scu/index.js';
import { dicomNodeOf } from '../services/nodes/dicom-node.js';
import type { AppEnv } from './env.js';
import { ApiFailure, errorOf } from './result.js';
import { describeStatus } from '../services/nodes/diagnose.js';
import { CacheStoreHandler, type StoredEvent } from '../services/local-scp/handlers.js';
import { searchRemote, searchSucceeded } from '../services/query/query.js';
import { arrivalFilter, eventArrivals, retrieve } from '../services/retrieve/retrieve.js';
import { probeStep, retrieveOneByWado } from './node-test-web.js';
import { PATIENT_NAME, SOP_CLASS_UID, SOP_INSTANCE_UID, STUDY_INSTANCE_UID } from '../../shared/dicom/tags.js';

export type StepResult = Omit<NodeTestStep, 'step' | 'elapsedMs'>;

async function timed(step: NodeTestStep['step'], work: () => Promise<StepResult>): Promise<NodeTestStep> {
  const started = performance.now();
  const r = await work();
  return { step, elapsedMs: Math.round(performance.now() - started), ...r };
}

const skipped = (message: string): StepResult => ({ outcome: 'skipped', message });

/** Runs the steps in order; a failed step skips the ones after it. */
export async function testNode(env: AppEnv, config: Config, node: RemoteNode): Promise<{ ok: boolean; steps: NodeTestStep[]; characterSets?: string[] }> {
  const scu = env.scu(config);
  const steps: NodeTestStep[] = [];
  const web = nodeProtocol(node) === 'dicomweb';
  steps.push(
    await timed('echo', async () => {
      try {
        if (web) return await probeStep(node, scu);
        const r = await echo(dicomNodeOf(node), scu);
        if (r.status === Status.Success) return { outcome: 'ok', message: `${node.aeTitle} answered the C-ECHO in ${r.elapsedMs} ms.` };
        const d = diagnose(describeStatus('echo', r.status, undefined, await env.failure(config, node, 'echo')));
        return { outcome: 'failed', message: d.sentence, code: d.code };
      } catch (err) {
        const e = errorOf(err, await env.failure(config, node, 'echo'));
        return { outcome: 'failed', message: e.message, code: e.code };
      }
    }),
  );
  let target: DataSet | undefined;
  const characterSets = new Set<string>();
  if (steps[0]!.outcome !== 'ok') steps.push({ step: 'find', elapsedMs: 0, ...skipped(`Not tried, because the ${web ? 'QIDO-RS probe' : 'C-ECHO'} failed.`) });
  else {
    steps.push(
      await timed('find', async () => {
        try {
          target = await findOneInstance(env, config, node, characterSets);
          const answered = web ? `${node.name} answered the QIDO-RS search` : `${node.aeTitle} answered the C-FIND`;
          return { outcome: 'ok', message: target ? `${answered}.` : `${answered} but holds no instance to retrieve.` };
        } catch (err) {
          const e = errorOf(err, await env.failure(config, node, 'find'));
          return { outcome: 'failed', message: e.message, code: e.code };
        }
      }),
    );
  }
  const found = target;
  if (!found) {
    const why =
      steps[1]!.outcome !== 'ok'
        ? 'Not tried, because the C-FIND failed.'
        : QUERY_MODELS[node.model].levels.includes('IMAGE')
          ? 'Not tried: the node holds nothing to retrieve.'
          : 'Not tried: the Patient/Study Only model has no instance level to retrieve one instance from.';
    steps.push({ step: 'retrieve', elapsedMs: 0, ...skipped(why) });
  } else {
    steps.push(await timed('retrieve', () => (node.method === 'wado' ? retrieveOneByWado(env, config, node, found) : retrieveOne(env, config, node, found))));
  }
  return { ok: steps.every((s) => s.outcome !== 'failed'), steps, ...(characterSets.size ? { characterSets: [...characterSets] } : {}) };
}

/** The SOP class of the instance findOneInstance found, when the node returned it. */
const sopClasses = new WeakMap<DataSet, string>();

/**
 * The storage contexts of the test's C-GET. The default C-GET plan (dimse/scu/get.ts) spreads
 * 25 common classes over 127 contexts, so rare transfer syntaxes (RLE, JPEG-LS, …) share the
 * last context of each class and the peer, which picks one syntax per context (PS3.8 §9.3.3.2)
 * and does not transcode, has no context to send such an instance in ("requestor offered no
 * context"). One instance of a known class needs no compromise: that class alone, one context
 * per transfer syntax we know. Without its class: the default classes, every syntax.
 */
export function getContextsFor(sopClass: string | undefined): Pick<GetOptions, 'storageSopClasses' | 'transferSyntaxes'> {
  const syntaxes = TRANSFER_SYNTAXES.map((t) => t.uid).slice(0, 126);
  return sopClass
    ? { storageSopClasses: [sopClass], transferSyntaxes: syntaxes }
    : { storageSopClasses: [...DEFAULT_GET_STORAGE_SOP_CLASSES], transferSyntaxes: syntaxes };
}

/**
 * Walks the node's model down to one instance (one match per level); undefined when a level is
 * empty. The first level asks for the Patient's Name too, so that the answer declares the
 * Specific Character Set the node writes names in (collected into `characterSets`).
 */
async function findOneInstance(env: AppEnv, config: Config, node: RemoteNode, characterSets: Set<string>): Promise<DataSet | undefined> {
  const keys: DataSet = new Map();
  for (const level of QUERY_MODELS[node.model].levels) {
    const key = uniqueKey(node.model, level)!;
    const query: DataSet = new Map(keys);
    query.set(key.tag, { vr: key.vr, value: [] });
    // the instance's SOP Class UID (0008,0016), an optional IMAGE-level return key (PS3.4 C.6.1.1.5):
    // the C-GET then offers a context for exactly that class (see getContextsFor)
    if (level === 'IMAGE') query.set(SOP_CLASS_UID, { vr: 'UI', value: [] });
    if (level === QUERY_MODELS[node.model].levels[0]) query.set(PATIENT_NAME, { vr: 'PN', value: [] });
    const result = await searchRemote(node, { model: node.model, level, keys: query, limit: 1, defaultReturnKeys: false }, env.scu(config));
    if (!searchSucceeded(result)) {
      throw new ApiFailure(toApiError(diagnose(describeStatus('find', result.status, result.errorComment, await env.failure(config, node, 'find')))));
    }
    for (const c of result.characterSets ?? []) characterSets.add(c);
    const row = result.rows[0];
    const value = row?.[key.keyword];
    if (!value) return undefined;
    keys.set(key.tag, { vr: key.vr, value: [value] });
    const sopClass = level === 'IMAGE' ? row?.SOPClassUID : undefined;
    if (sopClass) sopClasses.set(keys, sopClass);
  }
  return QUERY_MODELS[node.model].levels.includes('IMAGE') ? keys : undefined;
}

async function retrieveOne(env: AppEnv, config: Config, node: RemoteNode, identifier: DataSet): Promise<StepResult> {
  const { server, cache } = env.deps;
  const local = await env.local(config, node);
  const filter = arrivalFilter(identifier);
  const listeners = new Set<(e: StoredEvent) => void>();
  const method = node.method === 'get' ? 'get' : 'move'; // 'wado' is node-test-web.ts's
  if (method === 'move' && !server) return skipped("Not tried: this workstation's DICOM server is not running, so nothing can be moved to it.");
  const arrivals =
    method === 'move'
      ? eventArrivals(server!.storedListeners, filter, { cache, moveOriginatorAeTitle: local.aeTitle })
      : eventArrivals(listeners, filter, { cache });
  const failure = await env.failure(config, node, method);
  // retrieve() spreads `scu` into the C-GET options, so the contexts ride along with it
  const scu: ScuOptions & Pick<GetOptions, 'storageSopClasses' | 'transferSyntaxes'> = {
    ...env.scu(config),
    ...(method === 'get' ? getContextsFor(sopClasses.get(identifier)) : {}),
  };
  const sop = getStrings(identifier, SOP_INSTANCE_UID)[0]?.trim() ?? '?';
  const heldBefore = cache.instancesFor('IMAGE', [sop]).length > 0;
  const how = method === 'move' ? 'C-MOVE' : 'C-GET';
  let result: StepResult;
  let arrived = 0;
  try {
    const report = await retrieve(
      { node, method, model: node.model, level: 'IMAGE', identifier, destination: local.aeTitle },
      {
        scu,
        arrivals,
        local,
        ...(method === 'get'
          ? {
              store: new CacheStoreHandler(cache, (e) => {
                for (const l of listeners) l(e);
                env.deps.audit?.onStoredByGet(e);
              }),
            }
          : {}),
      },
    );
    arrived = report.arrived ?? 0;
    if (report.verdict === 'complete' && arrived > 0) {
      result = {
        outcome: 'ok',
        message: `One instance (${sop}) arrived by ${method === 'move' ? `C-MOVE to ${local.aeTitle}` : 'C-GET'}; ${await putBack(env, sop, heldBefore)}`,
      };
    } else {
      const d = report.diagnosis ?? { code: 'nothing-arrived', sentence: `${node.aeTitle} reported success but instance ${sop} did not arrive.` };
      result = { outcome: 'failed', message: d.sentence, code: d.code };
      if (arrived > 0) await putBack(env, sop, heldBefore);
    }
  } catch (err) {
    const e = errorOf(err, failure);
    result = { outcome: 'failed', message: e.message, code: e.code };
  }
  const study = getStrings(identifier, STUDY_INSTANCE_UID)[0]?.trim();
  env.deps.audit?.ours('retrieve', {
    node: node.name,
    peerAeTitle: node.aeTitle,
    ...(study ? { StudyInstanceUID: study } : {}),
    instances: arrived,
    outcome: result.outcome === 'ok' ? 0 : 8,
    ...(result.outcome === 'failed' ? { outcomeText: result.message } : {}),
    detail: `${how} IMAGE ${sop}: test of the node${heldBefore ? '' : ', the instance removed again afterwards'}`.slice(0, 300),
  });
  return result;
}

/**
 * Leaves the cache as the test found it: the instance fetched goes again unless it was held
 * before, or a retrieve of its study is bringing it in now. Returns what happened, as the end of a sentence.
 */
export async function putBack(env: AppEnv, sop: string, heldBefore: boolean): Promise<string> {
  const { cache } = env.deps;
  if (heldBefore) return 'the cache held it already and keeps it.';
  const row = cache.instancesFor('IMAGE', [sop])[0];
  if (!row) return 'the cache is as before.';
  if (cache.pinned().some((p) => p.kind === 'study' && p.key === row.studyInstanceUid && p.reason === 'transfer')) {
    return 'a retrieve of its study is running, so it stays in the cache.';
  }
  await cache.deleteInstance(sop);
  return 'it was removed again, so the cache is as before the test.';
}
