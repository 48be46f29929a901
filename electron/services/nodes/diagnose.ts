/**
 * Converts what the network and storage layers throw or return into the plain descriptions
 * of shared/diagnostics.ts, and so into one sentence that says what to fix.
 */
import { createSocket } from 'node:dgram';
import { networkInterfaces } from 'node:os';
import { diagnose, type Diagnosis, type DimseService, type FailureDescription } from '../../../shared/diagnostics.js';
import { AssociationAbortedError, AssociationRejectedError, TimeoutError, TransportError } from '../../dimse/ul/association.js';
import { NoContextError } from '../../dimse/ul/errors.js';
import { DicomwebError } from '../dicomweb/errors.js';

/** What we know about the operation that failed. */
export interface FailureContext {
  service?: DimseService;
  /** The remote node (a DICOMweb-only node has no DIMSE address, only its URL). */
  node?: { aeTitle?: string | undefined; host?: string | undefined; port?: number | undefined; dicomweb?: { url: string } | undefined };
  callingAeTitle?: string;
  /** Where this workstation's SCP can be reached (for "add X at host:port" sentences). */
  local?: { aeTitle: string; host?: string; port?: number };
  timeoutMs?: number;
  /** How a port or address that cannot be listened on is changed (see the 'listen' description). */
  listenVia?: 'serve-options' | 'ui-port-option' | 'settings';
}

const DISK_CODES = new Set(['ENOSPC', 'EDQUOT', 'EQUOTA', 'EROFS']);

/** Builds the description of a thrown error. */
export function describeError(err: unknown, ctx: FailureContext = {}): FailureDescription {
  const peer = peerOf(ctx.node);
  const service = ctx.service ? { service: ctx.service } : {};
  if (err instanceof AssociationRejectedError) {
    return {
      kind: 'rejected',
      result: err.result,
      source: err.source,
      reason: err.reason,
      callingAeTitle: ctx.callingAeTitle ?? ctx.local?.aeTitle ?? 'PRIORS',
      calledAeTitle: ctx.node?.aeTitle ?? '?',
      ...peer,
      ...localRef(ctx),
    };
  }
  if (err instanceof AssociationAbortedError) return { kind: 'aborted', source: err.source, reason: err.reason, ...peer, ...service, ...localRef(ctx) };
  if (err instanceof TimeoutError) {
    const ms = err.ms ?? ctx.timeoutMs;
    return { kind: 'timeout', which: err.which, ...peer, ...service, ...(ms !== undefined ? { ms } : {}) };
  }
  if (err instanceof TransportError) {
    return { kind: 'transport', code: err.code, host: ctx.node?.host ?? '?', port: ctx.node?.port ?? 0, ...peer };
  }
  if (err instanceof Error && err.name === 'CacheBusyError') {
    const e = err as Error & { dataDir: string; advice: string; pid?: number };
    return { kind: 'cache-busy', dataDir: e.dataDir, advice: e.advice, ...(e.pid !== undefined ? { pid: e.pid } : {}) };
  }
  if (err instanceof DicomwebError) return err.describe();
  if (err instanceof Error && err.name === 'UnknownNodeError') return { kind: 'unknown-node', name: (err as Error & { nodeName: string }).nodeName };
  if (err instanceof NoContextError && ctx.service) {
    return { kind: 'no-context', service: ctx.service, sopClassName: err.sopClassName, ...peer };
  }
  if (err instanceof Error) {
    const sys = withErrno(err);
    const code = sys.code;
    const syscall = sys.syscall;
    if (code && syscall === 'listen') {
      const e = sys as NodeJS.ErrnoException & { address?: string; port?: number };
      return { kind: 'listen', code, host: e.address ?? '0.0.0.0', port: e.port ?? ctx.local?.port ?? 0, ...(ctx.listenVia ? { via: ctx.listenVia } : {}) };
    }
    if (code && DISK_CODES.has(code)) {
      const path = (err as NodeJS.ErrnoException).path;
      return { kind: 'disk', code, ...(path ? { path } : {}) };
    }
    if (code && (code === 'EACCES' || code === 'EPERM' || code === 'ENOENT') && (err as NodeJS.ErrnoException).path) {
      return { kind: 'disk', code, path: (err as NodeJS.ErrnoException).path! };
    }
    if (['UsageError', 'ConfigError', 'QueryKeyError', 'InputError'].includes(err.name)) return { kind: 'invalid-input', message: err.message };
    if (err.name === 'AbortError') return { kind: 'cancelled', ...service };
    return { kind: 'unexpected', message: err.message };
  }
  return { kind: 'unexpected', message: String(err) };
}

/** The node's DIMSE address as the sentences name it (only the parts it has). */
function peerOf(node: FailureContext['node']): { calledAeTitle?: string; host?: string; port?: number } {
  if (!node) return {};
  return {
    ...(node.aeTitle !== undefined ? { calledAeTitle: node.aeTitle } : {}),
    ...(node.host !== undefined ? { host: node.host } : {}),
    ...(node.port !== undefined ? { port: node.port } : {}),
  };
}

/** The error itself or the first cause carrying a Node errno code (wrapped errors keep it in `cause`). */
function withErrno(err: Error): NodeJS.ErrnoException {
  let e: unknown = err;
  for (let i = 0; i < 4 && e instanceof Error; i++) {
    if ((e as NodeJS.ErrnoException).code && (e as NodeJS.ErrnoException).syscall) return e as NodeJS.ErrnoException;
    e = e.cause;
  }
  return err as NodeJS.ErrnoException;
}

function localRef(ctx: FailureContext): { localAeTitle?: string; localHost?: string; localPort?: number } {
  if (!ctx.local) return {};
  return {
    localAeTitle: ctx.local.aeTitle,
    ...(ctx.local.host ? { localHost: ctx.local.host } : {}),
    ...(ctx.local.port !== undefined ? { localPort: ctx.local.port } : {}),
  };
}

/** The description of a failure status in a DIMSE response. */
export function describeStatus(
  service: DimseService,
  status: number,
  errorComment: string | undefined,
  ctx: FailureContext & { destination?: string } = {},
): FailureDescription {
  return {
    kind: 'status',
    service,
    status,
    ...(errorComment ? { errorComment } : {}),
    ...peerOf(ctx.node),
    ...(ctx.callingAeTitle ? { callingAeTitle: ctx.callingAeTitle } : {}),
    ...(ctx.destination ? { destination: ctx.destination } : {}),
    ...localRef(ctx),
  };
}

/** Diagnosis of a thrown error in one step. */
export function diagnoseError(err: unknown, ctx: FailureContext = {}): Diagnosis {
  return diagnose(describeError(err, ctx));
}

/**
 * The local address a peer at `host` would use to reach this workstation: the source address
 * of the route toward it (a connected UDP socket sends nothing), else the first external IPv4.
 */
export async function localAddressToward(host: string): Promise<string> {
  if (host === 'localhost' || /^127\./.test(host) || host === '::1') return host === '::1' ? '::1' : '127.0.0.1';
  const family = host.includes(':') ? 'udp6' : 'udp4';
  const viaRoute = await new Promise<string | undefined>((resolve) => {
    const socket = createSocket(family);
    const finish = (value: string | undefined) => {
      try {
        socket.close();
      } catch {
        /* already closed */
      }
      resolve(value);
    };
    socket.once('error', () => finish(undefined));
    try {
      socket.connect(9, host, () => {
        try {
          finish(socket.address().address);
        } catch {
          finish(undefined);
        }
      });
    } catch {
      finish(undefined);
    }
  });
  if (viaRoute && viaRoute !== '0.0.0.0' && viaRoute !== '::') return viaRoute;
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}
