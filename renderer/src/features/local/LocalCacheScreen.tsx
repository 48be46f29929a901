/**
 * Local cache: totals, patients → studies → series with sizes, delete, import a folder, send
 * a study to a node. A skeleton over the cache.* entries; the viewer plugs in later (O opens).
 */
import { useCallback, useEffect, useState } from 'react';
import type { ApiError, ResponseOf } from '../../../../shared/api.js';
import type { PatientRecord } from '../../../../shared/records.js';
import { ErrorLine } from '../../app/ErrorLine.js';
import { useApiEvents, useLoad, useTransport } from '../../app/api-context.js';
import { formatBytes, formatDicomDate, formatPersonName } from '../../lib/format.js';

type Studies = ResponseOf<'cache.studies'>['studies'];
type Series = ResponseOf<'cache.series'>['series'];

const patientKey = (p: PatientRecord): string => `${p.PatientID}\u0000${p.IssuerOfPatientID}`;

export function LocalCacheScreen({ active }: { active: boolean }) {
  const transport = useTransport();
  const [generation, setGeneration] = useState(0);
  const stats = useLoad('cache.stats', {}, String(generation));
  const patients = useLoad('cache.patients', { limit: 500 }, String(generation));
  const [open, setOpen] = useState<{ key: string; studies?: Studies; error?: ApiError } | undefined>();
  const [seriesOf, setSeriesOf] = useState<{ uid: string; series?: Series; error?: ApiError } | undefined>();
  const [importPath, setImportPath] = useState('');
  const [message, setMessage] = useState<string | undefined>();
  const [error, setError] = useState<ApiError | undefined>();
  const nodes = useLoad('nodes.list', {});
  const [sendNode, setSendNode] = useState('');
  const [sendProgress, setSendProgress] = useState<string | undefined>();

  const refresh = useCallback(() => setGeneration((g) => g + 1), []);
  useEffect(() => { if (active) refresh(); }, [active, refresh]);
  useEffect(() => { if (!sendNode && nodes.value?.nodes[0]) setSendNode(nodes.value.nodes[0].name); }, [nodes.value, sendNode]);
  useApiEvents((e) => { if (e.type === 'send.progress') setSendProgress(`Sending ${e.done} / ${e.total}…`); });

  const openPatient = async (p: PatientRecord): Promise<void> => {
    const key = patientKey(p);
    if (open?.key === key) { setOpen(undefined); return; }
    setOpen({ key });
    const r = await transport.call('cache.studies', { PatientID: p.PatientID, IssuerOfPatientID: p.IssuerOfPatientID });
    setOpen(r.ok ? { key, studies: r.value.studies } : { key, error: r.error });
  };
  const openStudy = async (uid: string): Promise<void> => {
    if (seriesOf?.uid === uid) { setSeriesOf(undefined); return; }
    setSeriesOf({ uid });
    const r = await transport.call('cache.series', { StudyInstanceUID: uid });
    setSeriesOf(r.ok ? { uid, series: r.value.series } : { uid, error: r.error });
  };
  const deleteStudy = async (uid: string, label: string): Promise<void> => {
    if (!window.confirm(`Delete ${label} from the local cache?`)) return;
    const r = await transport.call('cache.delete', { level: 'STUDY', uids: [uid] });
    setError(r.ok ? undefined : r.error);
    if (r.ok) { setMessage(`Deleted ${r.value.deleted} study.`); setOpen(undefined); refresh(); }
  };
  const sendStudy = async (uid: string): Promise<void> => {
    if (!sendNode) return;
    setSendProgress('Sending…');
    const r = await transport.call('cache.send', { node: sendNode, level: 'STUDY', uids: [uid] });
    setSendProgress(undefined);
    setError(r.ok ? r.value.error : r.error);
    if (r.ok) setMessage(`Sent ${r.value.sent} instances to ${sendNode}${r.value.failed ? `, ${r.value.failed} failed` : ''}.`);
  };
  const runImport = async (): Promise<void> => {
    if (!importPath.trim()) return;
    setMessage('Importing…');
    const r = await transport.call('cache.import', { path: importPath.trim() });
    setError(r.ok ? undefined : r.error);
    setMessage(r.ok ? `Imported ${r.value.imported}, ${r.value.duplicates} already there, ${r.value.skipped.length} skipped.` : undefined);
    if (r.ok) refresh();
  };

  const s = stats.value;
  return (
    <div className="screen">
      <h1 className="screen-title">Local cache</h1>
      <p className="muted" role="status">
        {s ? `${s.patients} patients · ${s.studies} studies · ${s.series} series · ${s.instances} instances · ${formatBytes(s.bytes)}${s.maxBytes ? ` of ${formatBytes(s.maxBytes)}` : ''}` : ' '}
      </p>
      <form className="inline-form" onSubmit={(e) => { e.preventDefault(); void runImport(); }}>
        <label htmlFor="lc-import">Import a folder</label>
        <input id="lc-import" value={importPath} onChange={(e) => setImportPath(e.target.value)} placeholder="/path/to/dicom" spellCheck={false} />
        <button type="submit">Import</button>
        <label htmlFor="lc-send">Send to</label>
        <select id="lc-send" value={sendNode} onChange={(e) => setSendNode(e.target.value)}>
          {(nodes.value?.nodes ?? []).map((n) => <option key={n.name} value={n.name}>{n.name}</option>)}
        </select>
      </form>
      <ErrorLine error={stats.error ?? patients.error ?? error} />
      {(message || sendProgress) && <p className="notice" role="status">{sendProgress ?? message}</p>}
      <table className="plain-table">
        <colgroup><col style={{ width: '34%' }} /><col style={{ width: '18%' }} /><col style={{ width: '14%' }} /><col style={{ width: '12%' }} /><col /></colgroup>
        <thead><tr><th scope="col">Patient</th><th scope="col">Patient ID</th><th scope="col">Birth date</th><th scope="col" className="num">Studies</th><th scope="col" className="num">Size</th></tr></thead>
        <tbody>
          {(patients.value?.patients ?? []).map((p) => {
            const key = patientKey(p);
            return [
              <tr key={key}>
                <td><button type="button" className="row-button" aria-expanded={open?.key === key} onClick={() => void openPatient(p)}>{formatPersonName(p.PatientName) || '(no name)'}</button></td>
                <td>{p.PatientID}</td>
                <td>{formatDicomDate(p.PatientBirthDate)}</td>
                <td className="num">{p.NumberOfPatientRelatedStudies}</td>
                <td className="num">{formatBytes(p.size)}</td>
              </tr>,
              open?.key === key && (
                <tr key={`${key}-studies`} className="series-row"><td colSpan={5}>
                  <ErrorLine error={open.error} />
                  {!open.studies && !open.error && <p className="muted">Loading…</p>}
                  <ul className="tree">
                    {(open.studies ?? []).map((st) => (
                      <li key={st.StudyInstanceUID}>
                        <button type="button" className="row-button" aria-expanded={seriesOf?.uid === st.StudyInstanceUID} onClick={() => void openStudy(st.StudyInstanceUID)}>
                          {formatDicomDate(st.StudyDate)} · {st.ModalitiesInStudy.join(', ')} · {st.StudyDescription || '(no description)'} · {st.NumberOfStudyRelatedInstances} inst. · {formatBytes(st.size)}
                        </button>
                        <button type="button" onClick={() => void sendStudy(st.StudyInstanceUID)} disabled={!sendNode}>Send</button>
                        <button type="button" className="danger" onClick={() => void deleteStudy(st.StudyInstanceUID, st.StudyDescription || 'this study')}>Delete</button>
                        {seriesOf?.uid === st.StudyInstanceUID && (
                          <ul className="tree">
                            <ErrorLine error={seriesOf.error} />
                            {(seriesOf.series ?? []).map((se) => (
                              <li key={se.SeriesInstanceUID}>{se.SeriesNumber ?? ''} · {se.Modality ?? ''} · {se.SeriesDescription || '(no description)'} · {se.NumberOfSeriesRelatedInstances} inst. · {formatBytes(se.size)}</li>
                            ))}
                          </ul>
                        )}
                      </li>
                    ))}
                  </ul>
                </td></tr>
              ),
            ];
          })}
        </tbody>
      </table>
    </div>
  );
}
