/**
 * "Prefetch for a patient": Patient ID (and its issuer when IDs are not unique), a dry run that
 * only says what would be fetched and why, and the run shown expanded as it goes.
 */
import { type FormEvent, useState } from 'react';
import { ErrorLine } from '../../app/ErrorLine.js';
import { usePrefetchRun } from '../../app/use-prefetch-run.js';
import { RunItem } from './RunItem.js';

export function ManualRunPanel() {
  const action = usePrefetchRun();
  const [patient, setPatient] = useState({ id: '', issuer: '', dryRun: false });
  const [expanded, setExpanded] = useState(true);
  const [missing, setMissing] = useState(false);
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    const PatientID = patient.id.trim();
    setMissing(!PatientID);
    if (!PatientID || action.busy) return;
    setExpanded(true);
    void action.start({
      PatientID,
      ...(patient.issuer.trim() ? { IssuerOfPatientID: patient.issuer.trim() } : {}),
      ...(patient.dryRun ? { dryRun: true } : {}),
    });
  };
  return (
    <section className="prefetch-section" role="region" aria-labelledby="pf-manual-h">
      <h2 id="pf-manual-h">Prefetch for a patient</h2>
      <form className="inline-form" onSubmit={submit} noValidate aria-label="Prefetch for a patient">
        <label htmlFor="pf-patient">Patient ID</label>
        <input
          id="pf-patient"
          value={patient.id}
          spellCheck={false}
          autoComplete="off"
          aria-invalid={missing || undefined}
          aria-describedby={missing ? 'pf-patient-error' : undefined}
          onChange={(e) => {
            setPatient({ ...patient, id: e.target.value });
            setMissing(false);
          }}
        />
        <label htmlFor="pf-issuer">Issuer (optional)</label>
        <input
          id="pf-issuer"
          className="short"
          value={patient.issuer}
          spellCheck={false}
          autoComplete="off"
          onChange={(e) => setPatient({ ...patient, issuer: e.target.value })}
        />
        <label className="check">
          <input type="checkbox" checked={patient.dryRun} onChange={(e) => setPatient({ ...patient, dryRun: e.target.checked })} /> Dry run (decide and explain,
          fetch nothing)
        </label>
        <button type="submit" className="primary" disabled={action.busy}>
          {action.busy ? 'Looking…' : 'Run'}
        </button>
      </form>
      {missing && (
        <p className="field-error" id="pf-patient-error" role="alert">
          Type the Patient ID whose priors to look for.
        </p>
      )}
      <p className="muted" role="status">
        {action.busy ? `Looking for the priors of ${patient.id.trim()} in the cache and on the nodes…` : ''}
      </p>
      <ErrorLine error={action.error} />
      {action.run && (
        <ul className="run-list" aria-label="Result of the run">
          <RunItem run={action.run} expanded={expanded} onToggle={() => setExpanded((x) => !x)} />
        </ul>
      )}
    </section>
  );
}
