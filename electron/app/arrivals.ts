/**
 * Tells the UI which studies our SCP is receiving (a modality's or a PACS's C-STORE, C-MOVE or
 * C-GET sub-operations alike), so that a viewer showing a study that is still arriving grows its
 * stack without a retrieve job of its own to follow. One event per study at once, then at most
 * one per interval while instances keep coming, and a last one after the last instance.
 */
import type { ApiEvent } from '../../shared/api/contract.js';
import type { StoredEvent } from '../services/local-scp/handlers.js';

/** Interval between two events of one study. */
export const ARRIVAL_EVENT_MS = 500;

type Timer = ReturnType<typeof setTimeout>;

export class ArrivalEvents {
  /** Per study: the timer of the interval running, and whether an instance came during it. */
  private readonly studies = new Map<string, { timer: Timer; pending?: { series: string } }>();

  constructor(
    private readonly emit: (e: Extract<ApiEvent, { type: 'study.arrived' }>) => void,
    private readonly intervalMs = ARRIVAL_EVENT_MS,
    private readonly timers: { set(f: () => void, ms: number): Timer; clear(t: Timer): void } = {
      set: (f, ms) => setTimeout(f, ms),
      clear: (t) => clearTimeout(t),
    },
  ) {}

  readonly onStored = (event: StoredEvent): void => {
    if (event.duplicate) return;
    const study = event.studyInstanceUid;
    const running = this.studies.get(study);
    if (running) {
      running.pending = { series: event.seriesInstanceUid };
      return;
    }
    this.emit({ type: 'study.arrived', StudyInstanceUID: study, SeriesInstanceUID: event.seriesInstanceUid });
    this.start(study);
  };

  private start(study: string): void {
    const entry: { timer: Timer; pending?: { series: string } } = {
      timer: this.timers.set(() => {
        const { pending } = entry;
        if (!pending) {
          this.studies.delete(study);
          return;
        }
        this.emit({ type: 'study.arrived', StudyInstanceUID: study, SeriesInstanceUID: pending.series });
        this.start(study);
      }, this.intervalMs),
    };
    this.studies.set(study, entry);
  }

  close(): void {
    for (const { timer } of this.studies.values()) this.timers.clear(timer);
    this.studies.clear();
  }
}
