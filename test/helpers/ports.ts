// Free loopback ports for test peers, and waiting until a peer listens on one.
// Ports are chosen at run time (never fixed): the OS picks one for a listener on port 0.
import { createConnection, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** Asks the OS for a free TCP port on 127.0.0.1 (listen on port 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close((err) => (err ? reject(err) : port > 0 ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

/** Resolves to true when a TCP connection to 127.0.0.1:port succeeds. */
export function isPortOpen(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (open: boolean) => {
      socket.removeAllListeners();
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export interface WaitOptions {
  host?: string;
  /** Polling interval in ms (default 50). */
  intervalMs?: number;
  /** Checked between attempts: a reason to give up early (e.g. the process exited). */
  abortIf?: () => string | undefined;
}

/**
 * Waits until something accepts TCP connections on port, polling every intervalMs.
 * Rejects after timeoutMs, or as soon as `abortIf` returns a reason.
 */
export async function waitForPort(port: number, timeoutMs: number, options: WaitOptions = {}): Promise<void> {
  const host = options.host ?? '127.0.0.1';
  const interval = options.intervalMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  while (true) {
    const reason = options.abortIf?.();
    if (reason) throw new Error(`gave up waiting for ${host}:${port}: ${reason}`);
    if (await isPortOpen(port, host, Math.min(1000, timeoutMs))) return;
    if (Date.now() >= deadline) throw new Error(`nothing listening on ${host}:${port} after ${timeoutMs} ms`);
    await sleep(interval);
  }
}
