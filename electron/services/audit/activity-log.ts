/**
 * The activity log: the last association log lines (a ring buffer), fed by the DicomServer's
 * and the SCUs' logger, with the other side's AE title and the outcome read from the lines of
 * electron/dimse/ul/log.ts, so the UI can filter by node and outcome.
 */
import type { ActivityLine } from '../../../shared/api/contract.js';
import type { Logger } from '../../dimse/ul/association.js';

/** Options of {@link ActivityLog}. */
export interface ActivityLogOptions {
  /** Lines kept (default 2000). */
  capacity?: number;
  /** Least level kept (default 'info'). */
  minimum?: ActivityLine['level'];
  /** Also told every line (e.g. the CLI's stderr logger). */
  forward?: Logger;
  now?: () => number;
}

/** A filter of {@link ActivityLog.query}. */
export interface ActivityFilter {
  /** AE titles (any of them) of the other side. */
  aeTitles?: readonly string[];
  outcome?: ActivityLine['outcome'];
  afterSeq?: number;
  /** Most lines returned, the newest (default 500). */
  limit?: number;
}

const ORDER = { debug: 0, info: 1, warn: 2, error: 3 } as const;
const OPEN = /^(a\d+) open \((requestor|acceptor)\): (\S*) -> (\S*) /;
const CLOSED = /^(a\d+) closed after [\d.]+ s: (released|aborted|dropped|rejected)/;
const REJECTED = /^rejected association from (\S+) /;
const ASSOCIATION = /^(a\d+)\b/;

/** The ring buffer. Construct one in the composition root and give its {@link logger} to the server and SCUs. */
export class ActivityLog {
  private readonly lines: ActivityLine[] = [];
  private readonly peers = new Map<string, string>();
  private readonly listeners = new Set<(line: ActivityLine) => void>();
  private readonly capacity: number;
  private readonly minimum: number;
  private readonly now: () => number;
  private seq = 0;

  /** The logger to hand to DicomServer (local-scp/serve.ts) and to ScuOptions.log. */
  readonly logger: Logger = (level, message) => {
    this.options.forward?.(level, message);
    if (ORDER[level] >= this.minimum) this.add(level, message);
  };

  constructor(private readonly options: ActivityLogOptions = {}) {
    this.capacity = options.capacity ?? 2000;
    this.minimum = ORDER[options.minimum ?? 'info'];
    this.now = options.now ?? Date.now;
  }

  /** Subscribes to new lines; returns the unsubscribe function. */
  on(listener: (line: ActivityLine) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** The lines kept that pass the filter, oldest first. */
  query(filter: ActivityFilter = {}): ActivityLine[] {
    const titles = filter.aeTitles?.map((t) => t.trim().toUpperCase());
    const out = this.lines.filter(
      (l) =>
        (filter.afterSeq === undefined || l.seq > filter.afterSeq) &&
        (filter.outcome === undefined || l.outcome === filter.outcome) &&
        (titles === undefined || (l.peerAeTitle !== undefined && titles.includes(l.peerAeTitle.toUpperCase()))),
    );
    return out.slice(-(filter.limit ?? 500));
  }

  private add(level: ActivityLine['level'], message: string): void {
    const line: ActivityLine = { seq: ++this.seq, time: this.now(), level, message, outcome: level === 'warn' || level === 'error' ? 'failed' : 'info' };
    const open = OPEN.exec(message);
    const closed = CLOSED.exec(message);
    const rejected = REJECTED.exec(message);
    const association = (open ?? closed ?? ASSOCIATION.exec(message))?.[1];
    if (association) line.association = association;
    if (open) {
      const peer = open[2] === 'requestor' ? open[4]! : open[3]!;
      this.peers.set(open[1]!, peer);
      if (this.peers.size > 1000) this.peers.delete(this.peers.keys().next().value!);
      line.outcome = 'ok';
    }
    if (association && this.peers.has(association)) line.peerAeTitle = this.peers.get(association)!;
    if (closed) {
      line.outcome = closed[2] === 'released' ? 'ok' : 'failed';
      this.peers.delete(closed[1]!);
    }
    if (rejected) {
      line.peerAeTitle = rejected[1]!;
      line.outcome = 'failed';
    }
    this.lines.push(line);
    if (this.lines.length > this.capacity) this.lines.splice(0, this.lines.length - this.capacity);
    for (const listener of this.listeners) {
      try {
        listener(line);
      } catch {
        // a listener's failure must not break logging
      }
    }
  }
}
