/**
 * Audit: the append-only audit log (audit.query), newest first, each event a sentence — who (AE
 * title, address, in or out) queried, retrieved, stored, sent, deleted or imported which
 * patient's study (its description and date, the UIDs under "details"), when (the app's own
 * YYYY-MM-DD HH:MM:SS), and how it ended — filtered by action, peer, patient, outcome and date,
 * paged, and exported as CSV or as JSON audit messages (PS3.15 A.5) for an ATNA repository.
 */
import { useEffect, useMemo, useState } from 'react';
import type { AuditFilter, AuditWhat } from '../../../../shared/audit.js';
import { ErrorLine } from '../../app/ErrorLine.js';
import { useLoad, useTransport } from '../../app/api-context.js';
import { rowKeyDown } from '../../app/row-keys.js';
import type { ApiError } from '../../../../shared/api/contract.js';
import { formatDateTimeSeconds, parseIsoDay } from '../../lib/format.js';
import { auditSentence, outcomeOf } from './audit-sentence.js';

export { whoOf } from './audit-sentence.js';

const PAGE = 100;
const WHATS: readonly [AuditWhat | '', string][] = [
  ['', 'Everything'],
  ['query', 'Queries'],
  ['retrieve', 'Retrieves'],
  ['store', 'Stores received'],
  ['send', 'Sends'],
  ['delete', 'Deletes'],
  ['import', 'Imports'],
  ['export', 'Exports'],
  ['prefetch', 'Prefetches'],
  ['association-refused', 'Refused associations'],
  ['move-destination-refused', 'Refused move destinations'],
];

export function AuditScreen({ active }: { active: boolean }) {
  const transport = useTransport();
  const [what, setWhat] = useState<AuditWhat | ''>('');
  const [peer, setPeer] = useState('');
  const [patient, setPatient] = useState('');
  const [outcome, setOutcome] = useState<'' | 'ok' | 'failed'>('');
  const [since, setSince] = useState('');
  const [page, setPage] = useState(0);
  const [exportError, setExportError] = useState<ApiError | undefined>();
  const sinceDay = parseIsoDay(since, 'Since');
  const sinceMs = sinceDay.ok ? sinceDay.value : undefined;
  const filter: AuditFilter = useMemo(
    () => ({
      ...(what ? { what } : {}),
      ...(peer.trim() ? { peer: peer.trim() } : {}),
      ...(patient.trim() ? { patient: patient.trim() } : {}),
      ...(outcome ? { outcome } : {}),
      ...(sinceMs !== undefined ? { since: sinceMs } : {}),
    }),
    [what, peer, patient, outcome, sinceMs],
  );
  const request = useMemo(() => ({ ...filter, limit: PAGE, offset: page * PAGE }), [filter, page]);
  const loaded = useLoad('audit.query', request, JSON.stringify(request));
  const reload = loaded.reload;
  useEffect(() => {
    if (active) reload();
  }, [active, reload]);
  useEffect(() => setPage(0), [filter]);
  const events = loaded.value?.events ?? [];
  const studies = loaded.value?.studies ?? {};
  const total = loaded.value?.total ?? 0;

  const download = async (format: 'csv' | 'json') => {
    const r = await transport.call('audit.export', { ...filter, format });
    if (!r.ok) {
      setExportError(r.error);
      return;
    }
    setExportError(undefined);
    const url = URL.createObjectURL(new Blob([r.value.content], { type: r.value.mediaType }));
    const a = document.createElement('a');
    a.href = url;
    a.download = r.value.filename;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };

  return (
    <div className="screen">
      <div className="screen-head">
        <h1 className="screen-title">Audit</h1>
        <button type="button" onClick={reload}>
          Refresh
        </button>
        <button type="button" onClick={() => void download('csv')}>
          Export CSV
        </button>
        <button type="button" onClick={() => void download('json')}>
          Export JSON (PS3.15)
        </button>
      </div>
      <form className="inline-form" onSubmit={(e) => e.preventDefault()} aria-label="Filter the audit log">
        <label htmlFor="au-what">Action</label>
        <select id="au-what" value={what} onChange={(e) => setWhat(e.target.value as AuditWhat | '')}>
          {WHATS.map(([v, label]) => (
            <option key={v} value={v}>
              {label}
            </option>
          ))}
        </select>
        <label htmlFor="au-peer">AE title or node</label>
        <input id="au-peer" value={peer} onChange={(e) => setPeer(e.target.value)} spellCheck={false} />
        <label htmlFor="au-patient">Patient</label>
        <input id="au-patient" value={patient} onChange={(e) => setPatient(e.target.value)} placeholder="ID, or name start" spellCheck={false} />
        <label htmlFor="au-outcome">Outcome</label>
        <select id="au-outcome" value={outcome} onChange={(e) => setOutcome(e.target.value as typeof outcome)}>
          <option value="">All</option>
          <option value="ok">Succeeded</option>
          <option value="failed">Failed</option>
        </select>
        <label htmlFor="au-since">Since</label>
        <input
          id="au-since"
          value={since}
          onChange={(e) => setSince(e.target.value)}
          placeholder="YYYY-MM-DD"
          spellCheck={false}
          autoComplete="off"
          aria-invalid={sinceDay.ok ? undefined : true}
          aria-describedby={sinceDay.ok ? undefined : 'au-since-error'}
        />
        {!sinceDay.ok && (
          <span className="field-error" id="au-since-error" role="alert">
            {sinceDay.error}
          </span>
        )}
      </form>
      <ErrorLine error={loaded.error ?? exportError} />
      <p className="muted" role="status">
        {total === 0 ? 'No audit events match.' : `${page * PAGE + 1}–${page * PAGE + events.length} of ${total} events`}
      </p>
      <table className="audit-table" aria-label="Audit events" onKeyDown={rowKeyDown}>
        <colgroup>
          <col className="audit-when" />
          <col />
          <col className="audit-outcome" />
        </colgroup>
        <thead>
          <tr>
            <th>When</th>
            <th>What happened</th>
            <th>Outcome</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e) => (
            <tr key={e.seq} data-row="" tabIndex={-1} data-what={e.what} data-outcome={e.outcome} data-direction={e.direction}>
              <td>
                <time dateTime={new Date(e.at).toISOString()}>{formatDateTimeSeconds(e.at)}</time>
              </td>
              <td>
                <span className="audit-sentence">{auditSentence(e, e.StudyInstanceUID ? studies[e.StudyInstanceUID] : undefined)}</span>
                {(e.StudyInstanceUID || e.detail || e.PatientID) && (
                  <details className="audit-details">
                    <summary>details</summary>
                    <dl className="facts">
                      {e.PatientID && (
                        <>
                          <dt>Patient ID</dt>
                          <dd>{e.PatientID}</dd>
                        </>
                      )}
                      {e.StudyInstanceUID && (
                        <>
                          <dt>Study Instance UID</dt>
                          <dd className="uid">{e.StudyInstanceUID}</dd>
                        </>
                      )}
                      {e.detail && (
                        <>
                          <dt>Detail</dt>
                          <dd className="uid">{e.detail}</dd>
                        </>
                      )}
                      <dt>Local AE</dt>
                      <dd>{e.localAeTitle ?? ''}</dd>
                    </dl>
                  </details>
                )}
              </td>
              <td>{outcomeOf(e)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="form-actions">
        <button type="button" disabled={page === 0} onClick={() => setPage(page - 1)}>
          Newer
        </button>
        <button type="button" disabled={(page + 1) * PAGE >= total} onClick={() => setPage(page + 1)}>
          Older
        </button>
      </div>
    </div>
  );
}
