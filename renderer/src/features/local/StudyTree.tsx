/**
 * The studies of one patient of the cache, each expandable to its series; per study: Open (in
 * the viewer), Send, Delete; per series: Send, Delete. A study a prefetch rule brought in carries a
 * "Prefetched" badge (the rule and its reason in the tooltip).
 */
import { useState } from 'react';
import type { ApiError } from '../../../../shared/api/contract.js';
import type { PrefetchedMark } from '../../../../shared/prefetch.js';
import type { SeriesRecord, StudyRecord } from '../../../../shared/records.js';
import { ErrorLine } from '../../app/ErrorLine.js';
import { useTransport } from '../../app/api-context.js';
import { formatBytes, formatDicomDate } from '../../lib/format.js';
import { prefetchedTitle } from '../../lib/prefetch.js';
import { OPEN_STUDY_EVENT, openStudyDetail } from './cache-view.js';

/** Asks the viewer to open a study of the cache (the App shows the viewer when it exists). */
function openStudy(StudyInstanceUID: string): void {
  window.dispatchEvent(new CustomEvent(OPEN_STUDY_EVENT, { detail: openStudyDetail(StudyInstanceUID) }));
}

/** What a row asks the screen to do. */
export interface TreeActions {
  send(level: 'STUDY' | 'SERIES', uid: string, label: string): void;
  remove(level: 'STUDY' | 'SERIES', uid: string, label: string): void;
  canSend: boolean;
}

export function StudyTree({ studies, prefetched, actions }: { studies: StudyRecord[]; prefetched: Record<string, PrefetchedMark>; actions: TreeActions }) {
  const transport = useTransport();
  const [open, setOpen] = useState<{ uid: string; series?: SeriesRecord[]; error?: ApiError } | undefined>();
  const toggle = async (uid: string): Promise<void> => {
    if (open?.uid === uid) {
      setOpen(undefined);
      return;
    }
    setOpen({ uid });
    const r = await transport.call('cache.series', { StudyInstanceUID: uid });
    setOpen(r.ok ? { uid, series: r.value.series } : { uid, error: r.error });
  };
  return (
    <table className="series-table" aria-label="Studies">
      <colgroup>
        <col style={{ width: '17%' }} />
        <col style={{ width: '10%' }} />
        <col />
        <col style={{ width: '8%' }} />
        <col style={{ width: '9%' }} />
        <col style={{ width: '10%' }} />
        <col style={{ width: '190px' }} />
      </colgroup>
      <thead>
        <tr>
          <th scope="col">Date</th>
          <th scope="col">Modalities</th>
          <th scope="col">Description</th>
          <th scope="col" className="num">
            Series
          </th>
          <th scope="col" className="num">
            Instances
          </th>
          <th scope="col" className="num">
            Size
          </th>
          <th scope="col">Actions</th>
        </tr>
      </thead>
      <tbody>
        {studies.map((st) => {
          const label = `${st.StudyDescription || 'study'} of ${formatDicomDate(st.StudyDate) || 'unknown date'}`;
          const expanded = open?.uid === st.StudyInstanceUID;
          const mark = prefetched[st.StudyInstanceUID];
          return [
            <tr key={st.StudyInstanceUID} data-row="" tabIndex={-1} data-study={st.StudyInstanceUID} data-prefetched={mark ? 'true' : undefined}>
              <td className="with-badge">
                {formatDicomDate(st.StudyDate)}
                {mark && (
                  <span className="badge badge-prefetched" data-rule={mark.rule} title={prefetchedTitle(mark)}>
                    Prefetched
                  </span>
                )}
              </td>
              <td>{st.ModalitiesInStudy.join(', ')}</td>
              <td>
                <button
                  type="button"
                  className="row-button"
                  data-primary=""
                  aria-expanded={expanded}
                  onClick={() => void toggle(st.StudyInstanceUID)}
                  title={st.StudyInstanceUID}
                >
                  {st.StudyDescription || '(no description)'}
                </button>
              </td>
              <td className="num">{st.NumberOfStudyRelatedSeries}</td>
              <td className="num">{st.NumberOfStudyRelatedInstances}</td>
              <td className="num">{formatBytes(st.size)}</td>
              <td className="actions">
                <button type="button" onClick={() => openStudy(st.StudyInstanceUID)} title={`Open ${label}`}>
                  Open
                </button>
                <button type="button" disabled={!actions.canSend} onClick={() => actions.send('STUDY', st.StudyInstanceUID, label)} title={`Send ${label}`}>
                  Send
                </button>
                <button type="button" className="danger" onClick={() => actions.remove('STUDY', st.StudyInstanceUID, label)} title={`Delete ${label}`}>
                  Delete
                </button>
              </td>
            </tr>,
            expanded && (
              <tr key={`${st.StudyInstanceUID}-series`} className="series-row">
                <td colSpan={7}>
                  <ErrorLine error={open.error} />
                  {!open.series && !open.error && <p className="muted">Loading…</p>}
                  {open.series && <SeriesList series={open.series} actions={actions} />}
                </td>
              </tr>
            ),
          ];
        })}
      </tbody>
    </table>
  );
}

function SeriesList({ series, actions }: { series: SeriesRecord[]; actions: TreeActions }) {
  return (
    <table className="series-table" aria-label="Series">
      <colgroup>
        <col style={{ width: '8%' }} />
        <col style={{ width: '10%' }} />
        <col />
        <col style={{ width: '10%' }} />
        <col style={{ width: '10%' }} />
        <col style={{ width: '140px' }} />
      </colgroup>
      <thead>
        <tr>
          <th scope="col">#</th>
          <th scope="col">Modality</th>
          <th scope="col">Description</th>
          <th scope="col" className="num">
            Instances
          </th>
          <th scope="col" className="num">
            Size
          </th>
          <th scope="col">Actions</th>
        </tr>
      </thead>
      <tbody>
        {series.map((se) => {
          const label = `series ${se.SeriesNumber ?? ''} ${se.SeriesDescription ?? ''}`.replace(/\s+/g, ' ').trim();
          return (
            <tr key={se.SeriesInstanceUID} data-row="" tabIndex={-1} data-series={se.SeriesInstanceUID}>
              <td>{se.SeriesNumber ?? ''}</td>
              <td>{se.Modality ?? ''}</td>
              <td title={se.SeriesInstanceUID}>{se.SeriesDescription || '(no description)'}</td>
              <td className="num">{se.NumberOfSeriesRelatedInstances}</td>
              <td className="num">{formatBytes(se.size)}</td>
              <td className="actions">
                <button type="button" disabled={!actions.canSend} onClick={() => actions.send('SERIES', se.SeriesInstanceUID, label)} title={`Send ${label}`}>
                  Send
                </button>
                <button type="button" className="danger" onClick={() => actions.remove('SERIES', se.SeriesInstanceUID, label)} title={`Delete ${label}`}>
                  Delete
                </button>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
