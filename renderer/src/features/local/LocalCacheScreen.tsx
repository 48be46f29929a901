/**
 * Local cache: totals (cache.stats), patients → studies → series with counts and sizes, delete
 * (confirmed; STUDY or SERIES), send to a node (C-STORE, live progress), import a folder (live
 * progress), Open, which hands a study to the viewer (`priors:open-study`), export of a patient's
 * studies (ExportDialog, also opened for one study by Search's "Export…", `priors:export-study`),
 * and the cache's check and repair (DoctorPanel).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiError } from '../../../../shared/api/contract.js';
import type { PrefetchedMark } from '../../../../shared/prefetch.js';
import type { PatientRecord, StudyRecord } from '../../../../shared/records.js';
import { useConfirm } from '../../app/ConfirmDialog.js';
import { ErrorLine } from '../../app/ErrorLine.js';
import { useApiEvents, useLoad, useTransport } from '../../app/api-context.js';
import { rowKeyDown } from '../../app/row-keys.js';
import { formatBytes, formatDicomDate, formatPersonName } from '../../lib/format.js';
import { EXPORT_STUDY_EVENT, importProgressLine, importResultLine, refusalLine, roomLine, sendResultLine, statsLine } from './cache-view.js';
import { DoctorPanel } from './DoctorPanel.js';
import { ExportDialog } from './ExportDialog.js';
import { StudyTree, type TreeActions } from './StudyTree.js';

type Who = Pick<PatientRecord, 'PatientID' | 'IssuerOfPatientID'>;
const patientKey = (p: Who): string => `${p.PatientID}\u0000${p.IssuerOfPatientID}`;
/** The patient whose studies are shown, with them once loaded (and the marks of those prefetch brought). */
interface OpenPatient {
  key: string;
  who: Who;
  studies?: StudyRecord[];
  prefetched?: Record<string, PrefetchedMark>;
  error?: ApiError;
}
let runs = 0;

export function LocalCacheScreen({ active }: { active: boolean }) {
  const transport = useTransport();
  const [generation, setGeneration] = useState(0);
  const stats = useLoad('cache.stats', {}, String(generation));
  const patients = useLoad('cache.patients', { limit: 500 }, String(generation));
  const nodes = useLoad('nodes.list', {});
  const [open, setOpen] = useState<OpenPatient | undefined>();
  const [importPath, setImportPath] = useState('');
  const [message, setMessage] = useState<string | undefined>();
  const [error, setError] = useState<ApiError | undefined>();
  const [sendNode, setSendNode] = useState('');
  const [running, setRunning] = useState<{ id: string; line: string } | undefined>();
  const [dialog, confirm] = useConfirm();

  const refresh = useCallback(() => setGeneration((g) => g + 1), []);
  const reloadNodes = nodes.reload;
  useEffect(() => {
    if (active) {
      refresh();
      reloadNodes();
    }
  }, [active, refresh, reloadNodes]);
  useEffect(() => {
    const list = nodes.value?.nodes ?? [];
    if (!list.some((n) => n.name === sendNode)) setSendNode(list[0]?.name ?? '');
  }, [nodes.value, sendNode]);
  useApiEvents((e) => {
    if (e.type === 'send.progress') setRunning((r) => (r?.id === e.sendId ? { id: e.sendId, line: `Sending to ${sendNode}… ${e.done} / ${e.total}` } : r));
    if (e.type === 'import.progress') setRunning((r) => (r?.id === e.importId ? { id: e.importId, line: importProgressLine(e) } : r));
  });

  const loadStudies = useCallback(
    async (key: string, p: Who): Promise<void> => {
      const r = await transport.call('cache.studies', { PatientID: p.PatientID, IssuerOfPatientID: p.IssuerOfPatientID });
      const who = { PatientID: p.PatientID, IssuerOfPatientID: p.IssuerOfPatientID };
      // a reload for a patient closed (or replaced) meanwhile is dropped
      setOpen((o) =>
        o && o.key !== key ? o : r.ok ? { key, who, studies: r.value.studies, prefetched: r.value.prefetched ?? {} } : { key, who, error: r.error },
      );
    },
    [transport],
  );
  // Search's "Export…": the study's patient open and the dialog with that study ticked
  const [exportAsk, setExportAsk] = useState<{ key: string; studies: string[] } | undefined>();
  const asked = useCallback(() => setExportAsk(undefined), []);
  useEffect(() => {
    const onExport = (e: Event): void =>
      void (async () => {
        const uid = (e as CustomEvent<{ StudyInstanceUID?: string }>).detail?.StudyInstanceUID;
        if (!uid) return;
        const r = await transport.call('cache.studies', { StudyInstanceUID: uid });
        const study = r.ok ? r.value.studies[0] : undefined;
        setError(r.ok ? undefined : r.error);
        setMessage(r.ok && !study ? 'That study is no longer in the local cache: retrieve it again from Search to export it.' : undefined);
        if (!study) return;
        const who = { PatientID: study.PatientID, IssuerOfPatientID: study.IssuerOfPatientID };
        const key = patientKey(who);
        setOpen((o) => (o?.key === key ? o : { key, who }));
        setExportAsk({ key, studies: [uid] });
        await loadStudies(key, who);
      })();
    window.addEventListener(EXPORT_STUDY_EVENT, onExport);
    return () => window.removeEventListener(EXPORT_STUDY_EVENT, onExport);
  }, [transport, loadStudies]);
  const openPatient = (p: PatientRecord): void => {
    const key = patientKey(p);
    if (open?.key === key) {
      setOpen(undefined);
      return;
    }
    setOpen({ key, who: p });
    void loadStudies(key, p);
  };
  // the open patient's studies change behind the screen (retrieves, prefetch): read them again on return and as jobs end
  const shown = open ? { key: open.key, who: open.who } : undefined;
  const shownRef = useRef(shown);
  shownRef.current = shown;
  useEffect(() => {
    const s = shownRef.current;
    if (active && s) void loadStudies(s.key, s.who);
  }, [active, loadStudies]);
  useApiEvents((e) => {
    const s = shownRef.current;
    if (active && s && e.type === 'job.finished') {
      refresh();
      void loadStudies(s.key, s.who);
    }
  });
  const actions: TreeActions = {
    canSend: !!sendNode && !running,
    send: (level, uid, label) =>
      void (async () => {
        const sendId = `ui-send-${++runs}`;
        const node = sendNode;
        setRunning({ id: sendId, line: `Sending ${label} to ${node}…` });
        const r = await transport.call('cache.send', { node, level, uids: [uid], sendId });
        setRunning(undefined);
        setError(r.ok ? r.value.error : r.error);
        setMessage(r.ok ? sendResultLine(node, r.value) : undefined);
      })(),
    remove: (level, uid, label) =>
      void (async () => {
        if (!(await confirm(`Delete the ${label} from the local cache? Its files are removed from this computer.`, 'Delete'))) return;
        const r = await transport.call('cache.delete', { level, uids: [uid] });
        setError(r.ok ? undefined : r.error);
        if (!r.ok) return;
        setMessage(`Deleted the ${label}.`);
        refresh();
        if (open) void loadStudies(open.key, open.who);
      })(),
  };
  const runImport = async (): Promise<void> => {
    const path = importPath.trim();
    if (!path || running) return;
    const importId = `ui-import-${++runs}`;
    setMessage(undefined);
    setRunning({ id: importId, line: 'Importing…' });
    const r = await transport.call('cache.import', { path, importId });
    setRunning(undefined);
    setError(r.ok ? undefined : r.error);
    if (r.ok) {
      setMessage(importResultLine(r.value));
      refresh();
    }
  };

  const list = patients.value?.patients ?? [];
  return (
    <div className="screen">
      <h1 className="screen-title">Local cache</h1>
      <p className="muted" role="status" aria-label="Cache totals">
        {stats.value ? statsLine(stats.value) : ' '}
      </p>
      {stats.value && roomLine(stats.value) && (
        <p className="muted" aria-label="Room on the disk">
          {roomLine(stats.value)}
        </p>
      )}
      {stats.value && refusalLine(stats.value) && (
        <p className="error-line" role="alert" aria-label="Last refused store">
          {refusalLine(stats.value)}
        </p>
      )}
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void runImport();
        }}
      >
        <label htmlFor="lc-import">Import a folder</label>
        <input id="lc-import" value={importPath} onChange={(e) => setImportPath(e.target.value)} placeholder="/path/to/dicom" spellCheck={false} />
        <button type="submit" disabled={!!running || !importPath.trim()}>
          Import
        </button>
        <label htmlFor="lc-send">Send to</label>
        <select id="lc-send" value={sendNode} onChange={(e) => setSendNode(e.target.value)} disabled={(nodes.value?.nodes ?? []).length === 0}>
          {(nodes.value?.nodes ?? []).length === 0 && <option value="">(no node configured)</option>}
          {(nodes.value?.nodes ?? []).map((n) => (
            <option key={n.name} value={n.name}>
              {n.name}
            </option>
          ))}
        </select>
      </form>
      <ErrorLine error={stats.error ?? patients.error ?? error} />
      <p className="notice" role="status" aria-live="polite">
        {running?.line ?? message ?? ''}
      </p>
      <table className="plain-table" aria-label="Patients">
        <colgroup>
          <col style={{ width: '30%' }} />
          <col style={{ width: '18%' }} />
          <col style={{ width: '13%' }} />
          <col style={{ width: '10%' }} />
          <col style={{ width: '10%' }} />
          <col />
        </colgroup>
        <thead>
          <tr>
            <th scope="col">Patient</th>
            <th scope="col">Patient ID</th>
            <th scope="col">Birth date</th>
            <th scope="col" className="num">
              Studies
            </th>
            <th scope="col" className="num">
              Instances
            </th>
            <th scope="col" className="num">
              Size
            </th>
          </tr>
        </thead>
        <tbody onKeyDown={rowKeyDown}>
          {list.length === 0 && !patients.loading && (
            <tr>
              <td colSpan={6} className="muted">
                The cache is empty: retrieve a study from Search, or import a folder.
              </td>
            </tr>
          )}
          {list.map((p) => {
            const key = patientKey(p);
            return [
              <tr key={key} data-row="" tabIndex={-1}>
                <td>
                  <button type="button" className="row-button" data-primary="" aria-expanded={open?.key === key} onClick={() => openPatient(p)}>
                    {formatPersonName(p.PatientName) || '(no name)'}
                  </button>
                </td>
                <td>{p.PatientID}</td>
                <td>{formatDicomDate(p.PatientBirthDate)}</td>
                <td className="num">{p.NumberOfPatientRelatedStudies}</td>
                <td className="num">{p.NumberOfPatientRelatedInstances}</td>
                <td className="num">{formatBytes(p.size)}</td>
              </tr>,
              open?.key === key && (
                <tr key={`${key}-studies`} className="series-row">
                  <td colSpan={6}>
                    <ErrorLine error={open.error} />
                    {!open.studies && !open.error && <p className="muted">Loading…</p>}
                    {open.studies && (
                      <ExportDialog
                        studies={open.studies}
                        onDone={setMessage}
                        onOpened={asked}
                        {...(exportAsk?.key === key ? { openFor: exportAsk.studies } : {})}
                      />
                    )}
                    {open.studies && <StudyTree studies={open.studies} prefetched={open.prefetched ?? {}} actions={actions} />}
                  </td>
                </tr>
              ),
            ];
          })}
        </tbody>
      </table>
      <DoctorPanel onRepaired={refresh} />
      {dialog}
    </div>
  );
}
