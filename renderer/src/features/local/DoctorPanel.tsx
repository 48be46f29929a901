/**
 * The cache's health on the Local cache screen: "Check" holds the index against the files and
 * checks both databases (cache.doctor), "Repair" mends what it can (a damaged index rebuilt from
 * the files, rows and files brought into agreement; never the jobs, the audit log or prefetch's
 * state); each finding's sentence is shown, found wrong or not, and the repairs done.
 */
import { type ReactElement, useState } from 'react';
import type { ApiError } from '../../../../shared/api/contract.js';
import type { DoctorReport } from '../../../../shared/records.js';
import { useConfirm } from '../../app/ConfirmDialog.js';
import { ErrorLine } from '../../app/ErrorLine.js';
import { useTransport } from '../../app/api-context.js';

export function DoctorPanel({ onRepaired }: { onRepaired(): void }): ReactElement {
  const transport = useTransport();
  const [running, setRunning] = useState<'check' | 'repair' | undefined>();
  const [report, setReport] = useState<{ report: DoctorReport; repaired: boolean } | undefined>();
  const [error, setError] = useState<ApiError | undefined>();
  const [dialog, confirm] = useConfirm();

  const run = async (repair: boolean): Promise<void> => {
    if (
      repair &&
      !(await confirm(
        "Repair the cache? Index rows without files are dropped and files without rows are indexed; the jobs, the audit log and prefetch's state are not touched.",
        'Repair',
      ))
    )
      return;
    setRunning(repair ? 'repair' : 'check');
    const r = await transport.call('cache.doctor', repair ? { repair: true } : {});
    setRunning(undefined);
    setError(r.ok ? undefined : r.error);
    setReport(r.ok ? { report: r.value, repaired: repair } : undefined);
    if (r.ok && repair) onRepaired();
  };
  const r = report?.report;
  return (
    <section className="doctor" aria-label="Cache check">
      <div className="doctor-head">
        <h2>Check the cache</h2>
        <button type="button" onClick={() => void run(false)} disabled={!!running}>
          {running === 'check' ? 'Checking…' : 'Check'}
        </button>
        <button type="button" onClick={() => void run(true)} disabled={!!running}>
          {running === 'repair' ? 'Repairing…' : 'Repair'}
        </button>
        {r && (
          <span className={r.ok ? 'doctor-ok' : 'doctor-bad'} role="status" data-ok={r.ok}>
            {r.ok
              ? report.repaired
                ? 'In order after the repair.'
                : 'Everything is in order.'
              : report.repaired
                ? 'Still not in order after the repair.'
                : 'Something is wrong: see below; Repair mends what it can.'}
          </span>
        )}
      </div>
      <ErrorLine error={error} />
      {r && (
        <ul className="doctor-findings" aria-label="Findings">
          {r.findings.map((f) => (
            <li key={f.check} data-check={f.check} data-ok={f.ok} className={f.ok ? 'finding-ok' : 'finding-bad'}>
              <span aria-hidden="true">{f.ok ? '✓' : '✕'}</span> {f.sentence}
              {f.examples?.length ? <span className="muted"> (e.g. {f.examples.slice(0, 3).join(', ')})</span> : null}
            </li>
          ))}
        </ul>
      )}
      {r?.repairs && (
        <ul className="doctor-repairs" aria-label="Repairs done">
          {r.repairs.length === 0 ? <li className="muted">Nothing needed repairing.</li> : r.repairs.map((s, i) => <li key={i}>{s}</li>)}
        </ul>
      )}
      {dialog}
    </section>
  );
}
