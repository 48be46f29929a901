/**
 * The push channel of the web host: Server-Sent Events (HTML Living Standard §9.2). Each API
 * event is one `data:` line of JSON, numbered by `id:`; a comment every 15 s keeps proxies and
 * idle timers from closing the stream.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiEvent } from '../../shared/api/contract.js';

const HEARTBEAT_MS = 15_000;

/** Opens the stream on `res` and forwards every event; returns the function that closes it. */
export function openEventStream(
  req: IncomingMessage,
  res: ServerResponse,
  api: { subscribe(listener: (e: ApiEvent) => void): () => void },
  onClose: () => void,
): () => void {
  res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
  res.write(': priors events\n\n');
  let seq = 0;
  const unsubscribe = api.subscribe((e) => {
    res.write(`id: ${++seq}\ndata: ${JSON.stringify(e)}\n\n`);
  });
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  heartbeat.unref();
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    unsubscribe();
    res.end();
    onClose();
  };
  req.on('close', close);
  res.on('error', close);
  return close;
}
