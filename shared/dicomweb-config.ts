/**
 * The DICOMweb side of a node (PS3.18): its service's base URL, how we authenticate to it
 * (HTTP Basic or a Bearer token), and the CA its HTTPS certificate must chain to. A node may
 * have a DIMSE address, a DICOMweb URL or both (then a retrieve that fails by C-GET and C-MOVE
 * is tried by WADO-RS). Secrets are kept in config.json (written owner-only) and never leave the
 * main process whole: {@link maskSecrets} is what the UI and logs see.
 *
 * Pure code: validation takes `unknown` and answers with the value or one sentence.
 */

/** How a node is searched (and sent to): DIMSE (C-FIND, C-STORE) or DICOMweb (QIDO-RS, STOW-RS). */
export type NodeProtocol = 'dimse' | 'dicomweb';

/**
 * HTTP authentication toward a DICOMweb node: Basic (RFC 7617) with a user and password, or a
 * Bearer token (RFC 6750). `secretSet` appears only in masked copies: a secret is stored.
 */
export type DicomwebAuth = { kind: 'basic'; user: string; password?: string; secretSet?: boolean } | { kind: 'bearer'; token?: string; secretSet?: boolean };

/** A node's DICOMweb service. */
export interface DicomwebSettings {
  /** The service's base URL ("base URL" of PS3.18 §8.2): http(s)://host:port/path, e.g. http://pacs:8042/dicom-web. */
  url: string;
  auth?: DicomwebAuth;
  /** CA bundle (PEM file) the HTTPS server's certificate must chain to; absent = the system's CAs. */
  caFile?: string;
}

/** The answer of a check: a value or one sentence saying what is wrong. */
export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/**
 * Checks a DICOMweb base URL: http or https, a host, no user or password in it (they belong in
 * the authentication, which is kept secret), no query or fragment. A trailing slash is removed.
 */
export function checkDicomwebUrl(raw: unknown): Checked<string> {
  if (typeof raw !== 'string' || raw.trim() === '') return { ok: false, error: `must be a URL such as http://pacs:8042/dicom-web, got ${show(raw)}` };
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return { ok: false, error: `must be a URL such as http://pacs:8042/dicom-web, got ${show(raw)}` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, error: `must start with http:// or https://, got ${show(raw)}` };
  if (url.username || url.password)
    return { ok: false, error: "must not carry a user or password: give them as the node's authentication (--user and --password), which is kept secret" };
  if (url.search || url.hash) return { ok: false, error: `must be the service's base URL without a query or fragment, got ${show(raw)}` };
  return { ok: true, value: url.toString().replace(/\/+$/, '') };
}

function fieldsOf(raw: unknown, path: string, known: readonly string[]): Checked<Record<string, unknown>> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, error: `${path} must be an object, got ${show(raw)}` };
  const extra = Object.keys(raw).find((k) => !known.includes(k));
  if (extra) return { ok: false, error: `${path}.${extra} is not a known setting (expected one of ${known.join(', ')})` };
  return { ok: true, value: raw as Record<string, unknown> };
}

/** Whether text holds a control character (C0 or DEL), which no HTTP header value may carry. */
function hasControl(s: string): boolean {
  return [...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
}

function checkAuth(raw: unknown, path: string): Checked<DicomwebAuth> {
  const f = fieldsOf(raw, path, ['kind', 'user', 'password', 'token', 'secretSet']);
  if (!f.ok) return f;
  const o = f.value;
  if (o.kind === 'basic') {
    if (typeof o.user !== 'string' || o.user === '' || o.user.includes(':') || hasControl(o.user)) {
      return {
        ok: false,
        error: `${path}.user must be a user name without ':' or control characters (RFC 7617), got ${o.user === undefined ? 'nothing' : 'an invalid one'}`,
      };
    }
    if (o.token !== undefined) return { ok: false, error: `${path}.token belongs to Bearer authentication, not Basic` };
    if (o.password !== undefined && (typeof o.password !== 'string' || hasControl(o.password))) {
      return { ok: false, error: `${path}.password must be text without control characters` };
    }
    return { ok: true, value: { kind: 'basic', user: o.user, ...(typeof o.password === 'string' ? { password: o.password } : {}) } };
  }
  if (o.kind === 'bearer') {
    if (o.user !== undefined || o.password !== undefined) return { ok: false, error: `${path}.user and password belong to Basic authentication, not Bearer` };
    // RFC 6750 §2.1: b64token characters
    if (o.token !== undefined && (typeof o.token !== 'string' || !/^[A-Za-z0-9\-._~+/]+=*$/.test(o.token))) {
      return { ok: false, error: `${path}.token must be a bearer token (letters, digits and -._~+/ then =, RFC 6750)` };
    }
    return { ok: true, value: { kind: 'bearer', ...(typeof o.token === 'string' ? { token: o.token } : {}) } };
  }
  return { ok: false, error: `${path}.kind must be "basic" or "bearer", got ${show(o.kind)}` };
}

/** Validates a node's `dicomweb` section (a masked copy's `secretSet` is dropped). */
export function checkDicomweb(raw: unknown, path = 'dicomweb'): Checked<DicomwebSettings> {
  const f = fieldsOf(raw, path, ['url', 'auth', 'caFile']);
  if (!f.ok) return f;
  const url = checkDicomwebUrl(f.value.url);
  if (!url.ok) return { ok: false, error: `${path}.url ${url.error}` };
  const out: DicomwebSettings = { url: url.value };
  if (f.value.auth !== undefined) {
    const auth = checkAuth(f.value.auth, `${path}.auth`);
    if (!auth.ok) return auth;
    out.auth = auth.value;
  }
  if (f.value.caFile !== undefined) {
    if (typeof f.value.caFile !== 'string' || f.value.caFile.trim() === '')
      return { ok: false, error: `${path}.caFile must be the path of a PEM file, got ${show(f.value.caFile)}` };
    if (!url.value.startsWith('https:')) return { ok: false, error: `${path}.caFile applies to an https:// URL only` };
    out.caFile = f.value.caFile;
  }
  return { ok: true, value: out };
}

/** The node with its DICOMweb secrets replaced by `secretSet` (for the UI, logs and `nodes ls`). */
export function maskSecrets<T extends { dicomweb?: DicomwebSettings }>(node: T): T {
  const auth = node.dicomweb?.auth;
  if (!auth) return node;
  const { password: _p, token: _t, ...rest } = auth as { password?: string; token?: string } & DicomwebAuth;
  const secretSet = auth.kind === 'basic' ? auth.password !== undefined : auth.token !== undefined;
  return { ...node, dicomweb: { ...node.dicomweb!, auth: { ...rest, ...(secretSet ? { secretSet: true } : {}) } as DicomwebAuth } };
}

/**
 * The node to store when the UI saves one whose secret it never saw: an absent password (same
 * user) or token keeps the stored one; an empty password clears it.
 */
export function keepStoredSecret<T extends { dicomweb?: DicomwebSettings }>(incoming: T, stored: { dicomweb?: DicomwebSettings } | undefined): T {
  const a = incoming.dicomweb?.auth;
  const b = stored?.dicomweb?.auth;
  if (!a || !b || a.kind !== b.kind) return incoming;
  if (a.kind === 'basic' && b.kind === 'basic' && a.password === undefined && a.user === b.user && b.password !== undefined) {
    return { ...incoming, dicomweb: { ...incoming.dicomweb!, auth: { ...a, password: b.password } } };
  }
  if (a.kind === 'bearer' && b.kind === 'bearer' && a.token === undefined && b.token !== undefined) {
    return { ...incoming, dicomweb: { ...incoming.dicomweb!, auth: { ...a, token: b.token } } };
  }
  return incoming;
}
