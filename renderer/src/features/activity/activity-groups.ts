/**
 * The Activity screen's operations, without a DOM: the lines of one association (its open line,
 * what happened on it, its close line) become one entry read as a sentence — who called whom,
 * for which services, how it ended — with the raw lines kept for a disclosure; a line about no
 * association is an entry of its own. Newest first, as the lines come.
 */
import type { ActivityLine } from '../../../../shared/api/contract.js';

/** One operation: an association's lines, or a line of its own. */
export interface ActivityGroup {
  key: string;
  /** Newest line's time. */
  time: number;
  association?: string;
  peerAeTitle?: string;
  /** The sentence shown. */
  summary: string;
  outcome: ActivityLine['outcome'];
  /** Oldest first, for the disclosure. */
  lines: ActivityLine[];
}

const OPEN = /^(\S+) open \((requestor|acceptor)\): (\S*) -> (\S*) (?:to|from) (\S+?):(\d+), (\d+) of (\d+) contexts accepted(?:: ([^;]*))?/;
const CLOSED = /^\S+ closed after ([\d.]+) s: (.*)$/;

/** The services an association's contexts name ("CT Image Storage, MR Image Storage" → kept short). */
function servicesOf(names: string | undefined): string {
  if (!names) return '';
  const list = names
    .split(', ')
    .map((n) => n.trim())
    .filter(Boolean);
  const kinds = new Set(
    list.map((n) =>
      /Storage/.test(n) ? 'storage' : /Find/i.test(n) ? 'query' : /Move|Get/i.test(n) ? 'retrieve' : /Verification/.test(n) ? 'verification' : n,
    ),
  );
  return [...kinds].join(', ');
}

/** The sentence of an association's lines (oldest first). */
export function associationSummary(lines: readonly ActivityLine[]): string {
  const open = lines.map((l) => OPEN.exec(l.message)).find((m) => m);
  const close = lines.map((l) => CLOSED.exec(l.message)).find((m) => m);
  const failed = lines.find((l) => l.outcome === 'failed');
  const id = lines[0]?.association ?? '';
  let who: string;
  if (open) {
    const [, , role, calling, called, host, port, accepted, offered, names] = open;
    const services = servicesOf(names);
    who = role === 'requestor' ? `We (${calling}) called ${called} at ${host}:${port}` : `${calling} called us (${called}) from ${host}`;
    who += accepted === '0' ? `: none of ${offered} contexts accepted` : services ? ` for ${services}` : '';
  } else {
    who = `Association ${id}${lines[0]?.peerAeTitle ? ` with ${lines[0].peerAeTitle}` : ''}`;
  }
  const end = close ? `; ${close[2]} after ${Number(close[1]).toFixed(1)} s` : '; still open';
  const others = lines.length - (open ? 1 : 0) - (close ? 1 : 0);
  return `${who}${end}${others > 0 ? ` (${others} more line${others === 1 ? '' : 's'})` : ''}${failed ? `: ${failed.message.replace(/^\S+ /, '')}` : ''}`;
}

/** Groups lines (newest first) into operations (newest first). */
export function groupLines(lines: readonly ActivityLine[]): ActivityGroup[] {
  const groups: ActivityGroup[] = [];
  const byAssociation = new Map<string, ActivityLine[]>();
  for (const line of lines) {
    if (!line.association) {
      groups.push({
        key: `l${line.seq}`,
        time: line.time,
        summary: line.message,
        outcome: line.outcome,
        lines: [line],
        ...(line.peerAeTitle ? { peerAeTitle: line.peerAeTitle } : {}),
      });
      continue;
    }
    let held = byAssociation.get(line.association);
    if (!held) {
      held = [];
      byAssociation.set(line.association, held);
      groups.push({ key: `a${line.association}`, time: line.time, association: line.association, summary: '', outcome: 'info', lines: held });
    }
    held.push(line);
  }
  for (const g of groups) {
    if (!g.association) continue;
    g.lines.reverse();
    g.summary = associationSummary(g.lines);
    const peer = g.lines.find((l) => l.peerAeTitle)?.peerAeTitle;
    if (peer) g.peerAeTitle = peer;
    g.outcome = g.lines.some((l) => l.outcome === 'failed') ? 'failed' : g.lines.some((l) => l.outcome === 'ok') ? 'ok' : 'info';
  }
  return groups;
}
