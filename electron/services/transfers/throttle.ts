/**
 * At most one call per interval per key, the last value always delivered (a trailing call), so
 * a progress bar sees ≤ 4 updates a second per job at the default 250 ms and never a stale end.
 */
/** Per-key throttle of calls to `emit` (see the file comment). */
export class Throttle<T> {
  private readonly last = new Map<string, number>();
  private readonly pending = new Map<string, { value: T; timer: NodeJS.Timeout }>();

  constructor(
    private readonly intervalMs: number,
    private readonly emit: (key: string, value: T) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Delivers `value` now if the key's interval has passed, else once it has (latest value wins). */
  push(key: string, value: T): void {
    const wait = (this.last.get(key) ?? -Infinity) + this.intervalMs - this.now();
    const queued = this.pending.get(key);
    if (queued) {
      queued.value = value;
      return;
    }
    if (wait <= 0) {
      this.fire(key, value);
      return;
    }
    const timer = setTimeout(() => {
      const p = this.pending.get(key);
      this.pending.delete(key);
      if (p) this.fire(key, p.value);
    }, wait);
    timer.unref?.();
    this.pending.set(key, { value, timer });
  }

  /** Drops what is pending for a key (its final event is sent by other means). */
  cancel(key: string): void {
    const p = this.pending.get(key);
    if (p) clearTimeout(p.timer);
    this.pending.delete(key);
    this.last.delete(key);
  }

  /** Drops everything pending. */
  clear(): void {
    for (const key of [...this.pending.keys()]) this.cancel(key);
  }

  private fire(key: string, value: T): void {
    this.last.set(key, this.now());
    this.emit(key, value);
  }
}
