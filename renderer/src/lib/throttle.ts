/**
 * A job per key at most once per `ms`: the first call runs at once (on the next turn), a call
 * while that key's job waits adds nothing, and a call within `ms` of the key's last run waits
 * for the rest of it. The viewer reads arriving studies again this way.
 */
export interface KeyedThrottle {
  /** Runs `job` for `key` as soon as the key's pace allows, unless a job of the key waits already. */
  schedule(key: string, job: () => void): void;
  /** Drops the job waiting for `key`, if any. */
  cancel(key: string): void;
  /** Drops every waiting job and forgets the last runs. */
  clear(): void;
}

export function keyedThrottle(ms: number, now: () => number = Date.now): KeyedThrottle {
  const waiting = new Map<string, ReturnType<typeof setTimeout>>();
  const lastRun = new Map<string, number>();
  return {
    schedule(key, job) {
      if (waiting.has(key)) return;
      const wait = Math.max(0, (lastRun.get(key) ?? 0) + ms - now());
      waiting.set(
        key,
        setTimeout(() => {
          waiting.delete(key);
          lastRun.set(key, now());
          job();
        }, wait),
      );
    },
    cancel(key) {
      clearTimeout(waiting.get(key));
      waiting.delete(key);
    },
    clear() {
      for (const t of waiting.values()) clearTimeout(t);
      waiting.clear();
      lastRun.clear();
    },
  };
}
