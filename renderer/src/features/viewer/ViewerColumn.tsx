/**
 * One study's column of the viewer: its title (and how much of it has arrived), the reason its
 * series was chosen, its series strip and the stack pane. The current study is column 0, its
 * priors the next ones.
 */
import type { MutableRefObject, ReactElement } from 'react';
import type { SeriesRecord } from '../../../../shared/records.js';
import { formatDicomDate, formatPersonName } from '../../lib/format.js';
import type { Engine } from './engine-loader.js';
import { matchText } from './series-match.js';
import { SeriesStrip } from './SeriesStrip.js';
import { type PaneControl, type PaneEvents, StackPane } from './StackPane.js';
import type { PriorSeriesChoice } from './use-series-match.js';
import type { OpenStudy } from './use-viewer-studies.js';

export interface ViewerColumnProps {
  engine: Engine;
  open: OpenStudy;
  /** 0: the current study; 1…: its priors. */
  index: number;
  /** The column the toolbar acts on. */
  active: boolean;
  /** Its retrieve runs: the stack grows as instances arrive. */
  growing: boolean;
  /** A prior's series choice (matched to the current one, picked, or pending). */
  matched?: PriorSeriesChoice;
  /** The series is still being matched: the pane waits. */
  matching: boolean;
  /** Its first image is on screen, or it shows none: the strip's thumbnails may load. */
  thumbnailsReady: boolean;
  control: MutableRefObject<PaneControl | undefined> | undefined;
  events: PaneEvents | undefined;
  cineFps?: number;
  onChooseSeries(series: SeriesRecord): void;
  middleImageId(series: SeriesRecord): Promise<string | undefined>;
  onFirstShown(): void;
  onActivate(): void;
}

export function ViewerColumn(p: ViewerColumnProps): ReactElement {
  const { open, index: i } = p;
  const title = i === 0 ? 'Current' : 'Prior';
  const uid = open.study.StudyInstanceUID;
  const chosenRecord = open.series.find((s) => s.SeriesInstanceUID === open.chosen?.SeriesInstanceUID);
  const line =
    p.matched && !p.matched.pending && chosenRecord
      ? `${`Series ${chosenRecord.SeriesNumber ?? ''} ${chosenRecord.SeriesDescription ?? ''}`.replace(/\s+/g, ' ').trim()}: ${
          p.matched.byUser ? 'chosen by you.' : p.matched.match ? matchText(p.matched.match) : 'the series with the most images.'
        }`
      : undefined;
  return (
    <div className="viewer-column" data-study={uid} data-slot={i} data-active={p.active}>
      {/* one grid row for the title and the series line, so that the strip and the pane keep the rest */}
      <div className="viewer-column-head">
        <h2 title={open.study.StudyInstanceUID}>
          {title} · {formatDicomDate(open.study.StudyDate ?? '')} · {open.study.StudyDescription ?? ''} · {formatPersonName(open.study.PatientName)}
          {p.growing && (
            <span className="viewer-arriving" role="status">
              {' '}
              · arriving ({open.study.NumberOfStudyRelatedInstances} so far)
            </span>
          )}
        </h2>
        {/* the line is cut to the column's width; the whole reason stays a hover away */}
        {line && (
          <p className="viewer-series-match" aria-label={`${title} series choice`} title={line}>
            {line}
          </p>
        )}
      </div>
      <SeriesStrip
        engine={p.engine}
        series={open.series}
        chosen={open.chosen?.SeriesInstanceUID}
        label={`${title} series`}
        ready={p.thumbnailsReady}
        onChoose={p.onChooseSeries}
        middleImageId={p.middleImageId}
      />
      {p.matching && (
        <p className="viewer-series-match" role="status">
          Choosing the series that matches the current one…
        </p>
      )}
      {open.chosen && !p.matching && (
        <StackPane
          key={`${uid}:${open.chosen.SeriesInstanceUID}`}
          engine={p.engine}
          viewportId={`pane-${i}`}
          series={open.chosen}
          label={i === 0 ? 'Current study' : 'Prior study'}
          active={p.active}
          control={p.control}
          events={{ ...p.events, onFirstShown: p.onFirstShown }}
          {...(p.cineFps !== undefined ? { cineFps: p.cineFps } : {})}
          onActivate={p.onActivate}
        />
      )}
    </div>
  );
}
