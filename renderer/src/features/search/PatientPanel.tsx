/**
 * The patients of the studies found (patient-groups.ts): each with its identifiers (Patient ID
 * and issuer, other IDs), names, birth date and the nodes that hold its studies; a click shows
 * only its studies. Groups that agree only on demographics, or on an ID of unknown issuer, are
 * listed for a person to confirm ("Same patient") or keep apart, for this session.
 */
import type { ReactElement } from 'react';
import { formatIdentifier } from '../../../../shared/search.js';
import { formatDicomDate, formatPersonName } from '../../lib/format.js';
import type { PatientFlag, PatientGroup } from './patient-groups.js';

export interface PatientPanelProps {
  groups: readonly PatientGroup[];
  flags: readonly PatientFlag[];
  /** The group whose studies alone are shown, if any. */
  only?: string | undefined;
  onOnly(key: string | undefined): void;
  onConfirm(flag: PatientFlag): void;
  onApart(flag: PatientFlag): void;
}

export function PatientPanel({ groups, flags, only, onOnly, onConfirm, onApart }: PatientPanelProps): ReactElement | null {
  if (groups.length === 0) return null;
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  return (
    <section className="patient-panel" aria-label="Patients">
      <h2 className="sr-only">Patients</h2>
      {flags.length > 0 && (
        <ul className="patient-flags" aria-label="Patients to confirm">
          {flags.map((f) => (
            <li key={f.key} className="banner banner-warning" role="alert" data-reason={f.reason}>
              <span>{f.sentence} Not merged until you confirm.</span>
              <button type="button" onClick={() => onConfirm(f)}>
                Same patient
              </button>
              <button type="button" onClick={() => onApart(f)}>
                Not the same
              </button>
            </li>
          ))}
        </ul>
      )}
      <ul className="patient-groups">
        {groups.map((g) => (
          <li
            key={g.key}
            data-patient={g.key}
            data-studies={g.studies.length}
            data-confirmed={g.confirmed ? 'true' : undefined}
            className={only === g.key ? 'patient selected' : 'patient'}
          >
            <button
              type="button"
              className="link-button"
              aria-pressed={only === g.key}
              onClick={() => onOnly(only === g.key ? undefined : g.key)}
              title={only === g.key ? 'Show every study again' : "Show only this patient's studies"}
            >
              <strong>{g.names.map(formatPersonName).join(' / ') || 'No name'}</strong>
            </button>{' '}
            <span className="muted">{[...g.birthDates.map(formatDicomDate), ...g.sexes].join(' · ')}</span>{' '}
            <span className="patient-ids" data-identifiers={g.identifiers.map(formatIdentifier).join(', ')}>
              {g.identifiers.map(formatIdentifier).join(', ') || 'no Patient ID'}
            </span>{' '}
            <span className="muted">
              {plural(g.studies.length, 'study', 'studies')}
              {g.heldBy.length ? ` on ${g.heldBy.join(', ')}` : ''}
            </span>
            {g.confirmed && (
              <span className="badge" title="Joined by your confirmation, for this session">
                confirmed
              </span>
            )}
            {g.conflict && (
              <p className="error-line" role="alert">
                {g.conflict}
              </p>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
