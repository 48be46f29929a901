/**
 * The `cache.export` entry: an export of cached studies (services/export) with its progress
 * events, recorded in the audit trail as PS3.15 A.5.3.5 Export events — one per study, with who
 * asked (the operating system's user of this process), where to, and whether de-identified — the
 * failed and the empty ones included.
 */
import { userInfo } from 'node:os';
import type { ApiEvent, RequestOf, ResponseOf } from '../../shared/api/contract.js';
import { AuditOutcome } from '../../shared/audit.js';
import type { ExportRequest, ExportResult } from '../../shared/export.js';
import { exportStudies, resolveOut } from '../services/export/index.js';
import { outgoingTranscoder } from '../services/transcode/index.js';
import type { AppEnv } from './env.js';

function who(): string {
  try {
    return userInfo().username;
  } catch {
    return 'an unknown user';
  }
}

/** "to <where> (DICOMDIR, ZIP, de-identified as ANON-…, retain dates; by <user>)". */
function detailOf(req: ExportRequest, result?: ExportResult): string {
  const d = result?.deidentified;
  const names = [...new Set(result?.studies.map((s) => s.pseudonym).filter(Boolean) ?? [])];
  const how = [
    req.dicomdir ? 'DICOMDIR' : '',
    req.zip ? 'ZIP' : '',
    req.deidentify ? `de-identified${names.length ? ` as ${names.join(', ')}` : ''}` : 'identified',
    d?.retainDates ? 'retain dates' : '',
    d?.cleanDescriptors ? 'clean descriptors' : '',
    d?.burnedInIncluded ? `${d.burnedInIncluded} with burned-in text included` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return `to ${result?.location ?? resolveOut(req.out)} (${how}; by ${who()})`;
}

/** Runs `cache.export` requests for the app core. */
export class ExportEntries {
  private runs = 0;

  constructor(
    private readonly env: AppEnv,
    private readonly emit: (e: ApiEvent) => void,
  ) {}

  async run(req: RequestOf<'cache.export'>): Promise<ResponseOf<'cache.export'>> {
    const { exportId = `export-${++this.runs}`, ...request } = req;
    const { cache, audit } = this.env.deps;
    try {
      const result = await exportStudies(cache, outgoingTranscoder(), request, {
        onProgress: (p) => this.emit({ type: 'export.progress', exportId, ...p }),
      });
      const outcome: AuditOutcome =
        result.instances === 0 ? AuditOutcome.SeriousFailure : result.leftOut.length ? AuditOutcome.MinorFailure : AuditOutcome.Success;
      audit?.exported(
        result.studies.map((s) => ({
          StudyInstanceUID: s.StudyInstanceUID,
          instances: s.instances,
          ...(s.PatientID ? { PatientID: s.PatientID } : {}),
          ...(s.PatientName ? { PatientName: s.PatientName } : {}),
        })),
        {
          outcome,
          detail: detailOf(request, result),
          ...(result.leftOut.length
            ? { outcomeText: `${result.leftOut.length} instance${result.leftOut.length === 1 ? '' : 's'} left out: ${result.leftOut[0]!.reason}` }
            : {}),
        },
      );
      return result;
    } catch (err) {
      audit?.exported(
        request.studies.map((StudyInstanceUID) => ({ StudyInstanceUID })),
        { outcome: AuditOutcome.SeriousFailure, outcomeText: (err as Error).message, detail: detailOf(request) },
      );
      throw err;
    }
  }
}
