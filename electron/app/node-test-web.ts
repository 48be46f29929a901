/**
 * The node test's steps for a DICOMweb node (node-test.ts runs them): a QIDO-RS probe in place of
 * the C-ECHO, and one instance retrieved by WADO-RS (PS3.18 §10.4), stored through the cache and
 * removed again as the DIMSE test does.
 */
import type { Config, RemoteNode } from '../../shared/config.js';
import { getStrings, type DataSet } from '../../shared/dicom/dataset.js';
import type { ScuOptions } from '../dimse/scu/index.js';
import { DicomwebClient } from '../services/dicomweb/http.js';
import { probeDicomweb } from '../services/dicomweb/probe.js';
import { webOptions } from '../services/dicomweb/search.js';
import { retrieveWado } from '../services/dicomweb/wado-retrieve.js';
import type { AppEnv } from './env.js';
import { putBack, type StepResult } from './node-test.js';
import { errorOf } from './result.js';
import { SOP_INSTANCE_UID, STUDY_INSTANCE_UID } from '../../shared/dicom/tags.js';

/** The QIDO-RS probe as the test's first step. */
export async function probeStep(node: RemoteNode, scu: ScuOptions): Promise<StepResult> {
  if (!node.dicomweb) return { outcome: 'failed', message: `Node ${node.name} has no DICOMweb URL.`, code: 'invalid-input' };
  const r = await probeDicomweb(node.dicomweb, scu);
  return { outcome: 'ok', message: `${r.url} answered a QIDO-RS search in ${r.elapsedMs} ms.` };
}

/** One instance by WADO-RS into the cache, then put back as the test found it. */
export async function retrieveOneByWado(env: AppEnv, config: Config, node: RemoteNode, identifier: DataSet): Promise<StepResult> {
  const { cache } = env.deps;
  const sop = getStrings(identifier, SOP_INSTANCE_UID)[0]?.trim() ?? '?';
  const heldBefore = cache.instancesFor('IMAGE', [sop]).length > 0;
  const scu = env.scu(config);
  const client = new DicomwebClient(node.dicomweb!, webOptions(scu));
  let result: StepResult;
  let arrived = 0;
  try {
    const report = await retrieveWado(
      { node, level: 'IMAGE', identifier },
      {
        client,
        cache,
        onStored: () => {
          arrived++;
        },
      },
    );
    if (report.verdict === 'complete' && arrived > 0)
      result = { outcome: 'ok', message: `One instance (${sop}) arrived by WADO-RS; ${await putBack(env, sop, heldBefore)}` };
    else {
      const d = report.diagnosis ?? { code: 'nothing-arrived', sentence: `${node.name} answered the WADO-RS retrieve but instance ${sop} did not arrive.` };
      result = { outcome: 'failed', message: d.sentence, code: d.code };
      if (arrived > 0) await putBack(env, sop, heldBefore);
    }
  } catch (err) {
    const e = errorOf(err, await env.failure(config, node, 'get'));
    result = { outcome: 'failed', message: e.message, code: e.code };
  } finally {
    client.close();
  }
  const study = getStrings(identifier, STUDY_INSTANCE_UID)[0]?.trim();
  env.deps.audit?.ours('retrieve', {
    node: node.name,
    ...(study ? { StudyInstanceUID: study } : {}),
    instances: arrived,
    outcome: result.outcome === 'ok' ? 0 : 8,
    ...(result.outcome === 'failed' ? { outcomeText: result.message } : {}),
    detail: `WADO-RS IMAGE ${sop}: test of the node${heldBefore ? '' : ', the instance removed again afterwards'}`.slice(0, 300),
  });
  return result;
}
