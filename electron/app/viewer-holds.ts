/**
 * What the viewer has open is never evicted (Cache.pin): a hold pins the study and, when the
 * cache knows its patient, every study of that patient, so the priors a radiologist is about
 * to compare stay too. A hold is a lease: the viewer renews it while the study is open and
 * releases it on close; a viewer that vanished (a closed browser tab, a crashed window) lets
 * it lapse after {@link HOLD_LEASE_MS}, so nothing stays pinned for ever.
 */
import { randomUUID } from 'node:crypto';
import type { Cache } from '../cache/index.js';
import type { PinHandle } from '../cache/eviction.js';

/** How long a hold lasts without renewal (ms); the viewer renews well within it. */
export const HOLD_LEASE_MS = 120_000;

interface Hold {
  study: string;
  pins: PinHandle[];
  timer: NodeJS.Timeout;
}

/** The viewer's holds on cached studies. */
export class ViewerHolds {
  private readonly holds = new Map<string, Hold>();

  constructor(
    private readonly cache: Cache,
    private readonly leaseMs = HOLD_LEASE_MS,
  ) {}

  /**
   * Holds `study` (and its patient's studies): a new hold, or the renewal of `holdId` (moved to
   * `study` if it held another one). Answers the hold's id and how long it lasts.
   */
  hold(study: string, holdId?: string): { holdId: string; leaseMs: number } {
    const id = holdId ?? randomUUID();
    const old = this.holds.get(id);
    if (old && old.study === study) {
      old.timer.refresh();
      return { holdId: id, leaseMs: this.leaseMs };
    }
    if (old) this.release(id);
    const pins = [this.cache.pin('study', study, 'viewer')];
    const patient = this.cache.study(study)?.PatientID?.trim();
    if (patient) pins.push(this.cache.pin('patient', patient, 'prior'));
    const timer = setTimeout(() => this.release(id), this.leaseMs);
    timer.unref?.();
    this.holds.set(id, { study, pins, timer });
    return { holdId: id, leaseMs: this.leaseMs };
  }

  /** Ends a hold; answers whether it was held. */
  release(holdId: string): boolean {
    const h = this.holds.get(holdId);
    if (!h) return false;
    this.holds.delete(holdId);
    clearTimeout(h.timer);
    for (const p of h.pins) p.release();
    return true;
  }

  /** How many holds are live (for tests and logs). */
  get size(): number {
    return this.holds.size;
  }

  /** Ends every hold. */
  close(): void {
    for (const id of [...this.holds.keys()]) this.release(id);
  }
}
