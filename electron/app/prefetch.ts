/**
 * The prefetch entries of the API over the prefetch service: rules and synonyms (kept in the
 * index), a run by hand (or a dry run), the last runs, and a worklist poll on demand.
 */
import type { RequestOf, ResponseOf } from '../../shared/api/contract.js';
import { checkRule, checkSynonyms } from '../../shared/prefetch.js';
import { findNode } from '../../shared/config.js';
import type { AppEnv } from './env.js';
import { ApiFailure } from './result.js';
import { InputError } from '../services/nodes/nodes.js';

/** The handlers behind the prefetch.* entries. */
export class PrefetchEntries {
  constructor(private readonly env: AppEnv) {}

  private service() {
    const p = this.env.deps.prefetch;
    if (!p) throw new ApiFailure({ code: 'unavailable', message: 'Prefetch does not run in this process.' });
    return p;
  }

  rules(): ResponseOf<'prefetch.rules'> {
    const { store } = this.service();
    return { rules: store.rules(), synonyms: store.synonyms() };
  }

  async saveRule(req: RequestOf<'prefetch.saveRule'>): Promise<ResponseOf<'prefetch.saveRule'>> {
    const checked = checkRule(req.rule);
    if (!checked.ok) throw new InputError(`The rule cannot be saved: ${checked.error}`);
    const config = await this.env.config();
    const unknown = checked.value.nodes.filter((n) => !findNode(config, n));
    if (unknown.length)
      throw new InputError(
        `The rule names ${unknown.map((n) => `"${n}"`).join(', ')}, which ${unknown.length === 1 ? 'is' : 'are'} not configured: add the node first or pick one of ${config.nodes.map((n) => n.name).join(', ') || '(none yet)'}`,
      );
    try {
      return { rules: this.service().store.saveRule(checked.value, req.previousName) };
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'ENOTFOUND') throw new ApiFailure({ code: 'not-found', message: `${(err as Error).message}.` });
      if (code === 'EEXIST') throw new InputError((err as Error).message);
      throw err;
    }
  }

  deleteRule(req: RequestOf<'prefetch.deleteRule'>): ResponseOf<'prefetch.deleteRule'> {
    return { deleted: this.service().store.deleteRule(req.name) };
  }

  saveSynonyms(req: RequestOf<'prefetch.saveSynonyms'>): ResponseOf<'prefetch.saveSynonyms'> {
    const checked = checkSynonyms(req.synonyms);
    if (!checked.ok) throw new InputError(`The synonym table cannot be saved: ${checked.error}`);
    this.service().store.saveSynonyms(checked.value);
    return { synonyms: this.service().store.synonyms() };
  }

  async run(req: RequestOf<'prefetch.run'>): Promise<ResponseOf<'prefetch.run'>> {
    const run = await this.service().prefetcher.run({
      trigger: 'manual',
      PatientID: req.PatientID.trim(),
      ...(req.IssuerOfPatientID ? { IssuerOfPatientID: req.IssuerOfPatientID } : {}),
      ...(req.StudyInstanceUID ? { current: { StudyInstanceUID: req.StudyInstanceUID } } : {}),
      ...(req.dryRun ? { dryRun: true } : {}),
    });
    return { run };
  }

  runs(req: RequestOf<'prefetch.runs'>): ResponseOf<'prefetch.runs'> {
    return { runs: this.service().store.runs({ limit: req.limit ?? 50, ...(req.PatientID ? { PatientID: req.PatientID } : {}) }) };
  }

  async pollWorklist(req: RequestOf<'prefetch.pollWorklist'>): Promise<ResponseOf<'prefetch.pollWorklist'>> {
    const config = await this.env.config();
    const node = this.env.node(config, req.node);
    if (!node.worklist) throw new InputError(`${node.name} is not a worklist provider: mark it as one in Nodes & settings (or priors nodes add … --worklist)`);
    return this.service().worklist.poll(node);
  }
}
