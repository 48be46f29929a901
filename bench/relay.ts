/**
 * A TCP relay that behaves like a network link between two hosts: every byte crossing it in one
 * direction waits a one-way delay and shares that direction's bandwidth with every other
 * connection through the relay, as packets on a real link do (this machine's kernel has no
 * netem). Used by the benchmarks to measure over the links users have, on 127.0.0.1.
 *
 * Each direction is one link: a chunk leaves when the link has sent what was queued before it
 * (its size over the bandwidth), and arrives a one-way delay later. A connection whose bytes
 * wait on the link beyond the link's buffer stops being read, so TCP's flow control pushes back
 * to the sender as it would at a bottleneck router.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

/** A link profile: one-way delay and bandwidth of each direction. */
export interface LinkProfile {
  name: string;
  /** One-way delay in milliseconds. */
  delayMs: number;
  /** Bits per second, each direction. */
  bitsPerSecond: number;
}

/** The profiles the benchmarks use. */
export const LINK_PROFILES: readonly LinkProfile[] = [
  { name: 'hospital LAN (1 Gbit/s, 0.25 ms one way)', delayMs: 0.25, bitsPerSecond: 1e9 },
  { name: 'remote reading (100 Mbit/s, 15 ms one way)', delayMs: 15, bitsPerSecond: 100e6 },
];

/** Bytes a chunk is cut into at most, so that a link interleaves connections finely. */
const SLICE = 16 * 1024;

interface Pending {
  at: number;
  bytes: Buffer;
  to: Socket;
  from: Socket;
}

/** One direction of the link: a serialising transmitter, then the delay. */
export class Link {
  private free = 0;
  private readonly queue: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Bytes queued per sending socket, for backpressure. */
  private readonly held = new Map<Socket, number>();
  private readonly limit: number;

  constructor(readonly profile: LinkProfile) {
    // the bottleneck's buffer: the bandwidth-delay product, and at least 256 KiB
    this.limit = Math.max(256 * 1024, (profile.bitsPerSecond / 8) * ((2 * profile.delayMs) / 1000));
  }

  send(from: Socket, to: Socket, chunk: Buffer): void {
    for (let at = 0; at < chunk.length; at += SLICE) {
      const bytes = chunk.subarray(at, at + SLICE);
      const now = performance.now();
      const leaves = Math.max(now, this.free) + (bytes.length * 8 * 1000) / this.profile.bitsPerSecond;
      this.free = leaves;
      this.queue.push({ at: leaves + this.profile.delayMs, bytes, to, from });
      this.held.set(from, (this.held.get(from) ?? 0) + bytes.length);
    }
    if ((this.held.get(from) ?? 0) > this.limit) from.pause();
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.queue.length === 0) return;
    const wait = Math.max(0, this.queue[0]!.at - performance.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.deliver();
    }, wait);
  }

  private deliver(): void {
    const now = performance.now();
    while (this.queue.length && this.queue[0]!.at <= now + 0.05) {
      const p = this.queue.shift()!;
      if (!p.to.destroyed) p.to.write(p.bytes);
      const left = (this.held.get(p.from) ?? 0) - p.bytes.length;
      if (left <= 0) this.held.delete(p.from);
      else this.held.set(p.from, left);
      if (left <= this.limit / 2 && p.from.isPaused()) p.from.resume();
    }
    this.schedule();
  }

  /** Forgets a closed socket's queued bytes once they are delivered or dropped. */
  whenEmpty(socket: Socket): Promise<void> {
    return new Promise((resolve) => {
      const check = () => (this.held.has(socket) ? setTimeout(check, 1) : resolve());
      check();
    });
  }
}

/** A running relay: connect to `port` on 127.0.0.1 to reach the target through the link. */
export interface Relay {
  port: number;
  profile: LinkProfile;
  /** Bytes carried towards the target and back. */
  carried(): { toTarget: number; fromTarget: number };
  stop(): Promise<void>;
}

/** The two directions of one network path, between a workstation and a PACS. */
export interface NetworkPath {
  profile: LinkProfile;
  toPacs: Link;
  toWorkstation: Link;
}

/** A path whose two directions every relay placed on it shares. */
export function networkPath(profile: LinkProfile): NetworkPath {
  return { profile, toPacs: new Link(profile), toWorkstation: new Link(profile) };
}

/**
 * Starts a relay on 127.0.0.1 (a free port, or `port`) to `target` over a link of `profile`, or
 * over `over`: the direction its clients send in, and the one its target answers in, of a path
 * other relays use too (the workstation's requests to the PACS and the PACS's sub-associations
 * back to the workstation cross the same link).
 */
export async function startRelay(target: { host: string; port: number }, profile: LinkProfile, port = 0, over?: { up: Link; down: Link }): Promise<Relay> {
  const up = over?.up ?? new Link(profile);
  const down = over?.down ?? new Link(profile);
  const sockets = new Set<Socket>();
  const counts = { toTarget: 0, fromTarget: 0 };
  const server: Server = createServer((client) => {
    client.setNoDelay(true);
    const upstream = connect({ host: target.host, port: target.port });
    upstream.setNoDelay(true);
    sockets.add(client).add(upstream);
    client.on('data', (chunk: Buffer) => {
      counts.toTarget += chunk.length;
      up.send(client, upstream, chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      counts.fromTarget += chunk.length;
      down.send(upstream, client, chunk);
    });
    // an end or reset crosses the link too: after what was sent before it
    const close = (from: Socket, to: Socket, link: Link, reset: boolean) => {
      void link.whenEmpty(from).then(() => setTimeout(() => (reset ? to.destroy() : to.end()), profile.delayMs));
    };
    client.on('end', () => close(client, upstream, up, false));
    upstream.on('end', () => close(upstream, client, down, false));
    client.on('error', () => close(client, upstream, up, true));
    upstream.on('error', () => close(upstream, client, down, true));
    client.on('close', () => sockets.delete(client));
    upstream.on('close', () => sockets.delete(upstream));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the relay has no TCP address');
  return {
    port: address.port,
    profile,
    carried: () => ({ ...counts }),
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
