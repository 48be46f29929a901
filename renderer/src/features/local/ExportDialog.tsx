/**
 * Export on the Local cache screen: "Export…" beside a patient's studies opens a dialog to tick
 * the studies and choose where to (a new or empty folder, or a ZIP), whether as a CD/USB medium
 * with a DICOMDIR, and whether de-identified (a pseudonym, generated when left empty; Retain
 * Longitudinal Temporal Information; Clean Descriptors; burned-in annotation allowed). It calls
 * `cache.export`, shows its progress, and ends with the result's sentence (shared/export.ts).
 * Asked for given studies (`openFor`, Search's "Export…"), it opens at once with only those ticked.
 */
import { type ReactElement, useEffect, useRef, useState } from 'react';
import type { ApiError } from '../../../../shared/api/contract.js';
import { exportResultSentence } from '../../../../shared/export.js';
import type { StudyRecord } from '../../../../shared/records.js';
import { ErrorLine } from '../../app/ErrorLine.js';
import { useApiEvents, useTransport } from '../../app/api-context.js';
import { formatDicomDate } from '../../lib/format.js';
import { exportProgressLine, exportRequestOf, newExportForm, type ExportForm } from './export-form.js';

let exports = 0;
let asks = 0;
/** The dialog's own layout (a column of choices), kept here rather than in the shared style sheets. */
const COLUMN = { flexDirection: 'column', alignItems: 'flex-start', gap: 6 } as const;
const WIDE = { width: '100%' } as const;

/**
 * The Export… button and its dialog; `onDone` gets the result's sentence. `openFor` opens the
 * dialog at once with those studies ticked; `onOpened` says it did, so the ask is not repeated.
 */
export function ExportDialog({
  studies,
  onDone,
  openFor,
  onOpened,
}: {
  studies: StudyRecord[];
  onDone(sentence: string): void;
  openFor?: readonly string[];
  onOpened?(): void;
}): ReactElement {
  // numbered: a new ask starts a fresh dialog rather than keeping the last one's choices
  const [ask, setAsk] = useState<{ n: number; form: ExportForm } | undefined>();
  const open = (uids: readonly string[]): void => setAsk({ n: ++asks, form: newExportForm(uids) });
  useEffect(() => {
    if (!openFor) return;
    setAsk({ n: ++asks, form: newExportForm(openFor) });
    onOpened?.();
  }, [openFor, onOpened]);
  return (
    <>
      <button type="button" className="export-open" onClick={() => open(studies.map((s) => s.StudyInstanceUID))} disabled={studies.length === 0}>
        Export…
      </button>
      {ask && (
        <ExportFormDialog
          key={ask.n}
          studies={studies}
          initial={ask.form}
          onClose={(sentence) => {
            setAsk(undefined);
            if (sentence) onDone(sentence);
          }}
        />
      )}
    </>
  );
}

function ExportFormDialog({ studies, initial, onClose }: { studies: StudyRecord[]; initial: ExportForm; onClose(sentence?: string): void }) {
  const transport = useTransport();
  const [form, setForm] = useState(initial);
  const [running, setRunning] = useState<{ id: string; line: string } | undefined>();
  const [problem, setProblem] = useState<string | undefined>();
  const [error, setError] = useState<ApiError | undefined>();
  const [result, setResult] = useState<string | undefined>();
  const firstRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    firstRef.current?.focus();
    return () => before?.focus?.();
  }, []);
  useApiEvents((e) => {
    if (e.type === 'export.progress') setRunning((r) => (r?.id === e.exportId ? { id: r.id, line: exportProgressLine(e) } : r));
  });
  const set = (patch: Partial<ExportForm>): void => {
    setProblem(undefined);
    setForm((f) => ({ ...f, ...patch }));
  };
  const tick = (uid: string, on: boolean): void => set({ studies: on ? [...form.studies, uid] : form.studies.filter((s) => s !== uid) });

  const run = async (): Promise<void> => {
    const asked = exportRequestOf(form);
    if ('problem' in asked) {
      setProblem(asked.problem);
      return;
    }
    setProblem(undefined);
    setError(undefined);
    const exportId = `ui-export-${++exports}`;
    setRunning({ id: exportId, line: 'Exporting…' });
    const r = await transport.call('cache.export', { ...asked.request, exportId });
    setRunning(undefined);
    if (!r.ok) {
      setError(r.error);
      return;
    }
    setResult(exportResultSentence(r.value));
  };

  return (
    <div className="dialog-backdrop">
      <form
        className="dialog export-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="export-title"
        onSubmit={(e) => {
          e.preventDefault();
          if (!running && !result) void run();
        }}
        onKeyDown={(e) => {
          if (e.key === 'Escape' && !running) {
            e.preventDefault();
            e.stopPropagation();
            onClose(result);
          }
        }}
      >
        <h2 id="export-title">Export studies</h2>
        <fieldset disabled={!!running || !!result} aria-label="Studies" style={{ ...COLUMN, marginBottom: 12 }}>
          {studies.map((s) => (
            <label key={s.StudyInstanceUID} className="export-study">
              <input type="checkbox" checked={form.studies.includes(s.StudyInstanceUID)} onChange={(e) => tick(s.StudyInstanceUID, e.target.checked)} />{' '}
              {formatDicomDate(s.StudyDate) || 'unknown date'} · {s.StudyDescription || '(no description)'} · {s.NumberOfStudyRelatedInstances} instances
            </label>
          ))}
        </fieldset>
        <fieldset disabled={!!running || !!result} style={COLUMN}>
          <label className="field" style={WIDE}>
            Where to
            <input
              ref={firstRef}
              style={WIDE}
              value={form.out}
              onChange={(e) => set({ out: e.target.value })}
              spellCheck={false}
              placeholder={form.zip ? '/media/usb/export.zip or a folder' : '/media/usb/export (new or empty)'}
              aria-describedby="export-out-hint"
            />
          </label>
          <span id="export-out-hint" className="muted">
            A leading ~ is your home folder; the path is on the computer running Priors.
          </span>
          <label>
            <input type="radio" name="export-kind" checked={!form.zip} onChange={() => set({ zip: false })} /> Folder
          </label>
          <label>
            <input type="radio" name="export-kind" checked={form.zip} onChange={() => set({ zip: true })} /> ZIP file
          </label>
          <label>
            <input type="checkbox" checked={form.dicomdir} onChange={(e) => set({ dicomdir: e.target.checked })} /> DICOMDIR (a CD or USB medium any viewer
            opens)
          </label>
          <label>
            <input type="checkbox" checked={form.deidentify} onChange={(e) => set({ deidentify: e.target.checked })} /> De-identify (PS3.15 Basic Profile)
          </label>
        </fieldset>
        {form.deidentify && (
          <fieldset disabled={!!running || !!result} aria-label="De-identification" style={{ ...COLUMN, marginTop: 8, paddingLeft: 22 }}>
            <label className="field" style={WIDE}>
              Pseudonym
              <input
                style={WIDE}
                value={form.pseudonym}
                onChange={(e) => set({ pseudonym: e.target.value })}
                maxLength={64}
                placeholder="generated when empty"
                spellCheck={false}
              />
            </label>
            <label>
              <input type="checkbox" checked={form.retainDates} onChange={(e) => set({ retainDates: e.target.checked })} /> Keep dates and times
            </label>
            <label>
              <input type="checkbox" checked={form.cleanDescriptors} onChange={(e) => set({ cleanDescriptors: e.target.checked })} /> Keep descriptions that
              name nobody
            </label>
            <label>
              <input type="checkbox" checked={form.allowBurnedIn} onChange={(e) => set({ allowBurnedIn: e.target.checked })} /> Include images that may show
              burned-in text
            </label>
          </fieldset>
        )}
        {problem && (
          <p className="error-line" role="alert">
            {problem}
          </p>
        )}
        <ErrorLine error={error} />
        <p className="notice" role="status" aria-live="polite">
          {running?.line ?? result ?? ''}
        </p>
        <div className="form-actions">
          {!result && (
            <button type="submit" disabled={!!running}>
              {running ? 'Exporting…' : 'Export'}
            </button>
          )}
          <button type="button" disabled={!!running} onClick={() => onClose(result)}>
            {result ? 'Close' : 'Cancel'}
          </button>
        </div>
      </form>
    </div>
  );
}
