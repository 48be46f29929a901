/**
 * The DICOMweb side of a node (PS3.18): its service's base URL, how we authenticate to it
 * (HTTP Basic or a Bearer token), and the CA its HTTPS certificate must chain to. A node may
 * have a DIMSE address, a DICOMweb URL or both (then a retrieve that fails by C-GET and C-MOVE
 * is tried by WADO-RS). Secrets are kept in config.json (written owner-only) and never leave the
 * main process whole: {@link maskSecrets} is what the UI and logs see.
 *
 * Pure code: the schemas (zod) read `unknown` and answer with the value or one sentence.
 */
import { z } from 'zod';
import type { Result } from './result.js';
import { bool, expected, fault, parseWith, settings, show } from './validation.js';

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

/** Whether text holds a control character (C0 or DEL), which no HTTP header value may carry. */
function hasControl(s: string): boolean {
  return [...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
}

const urlExample = expected('a URL such as http://pacs:8042/dicom-web');

/**
 * A DICOMweb base URL: http or https, a host, no user or password in it (they belong in the
 * authentication, which is kept secret), no query or fragment. A trailing slash is removed.
 */
export const dicomwebUrl = z
  .string({ error: urlExample })
  .trim()
  .min(1)
  .superRefine((text, ctx) => {
    const url = URL.canParse(text) ? new URL(text) : undefined;
    const problem = !url
      ? urlExample({ input: text })
      : url.protocol !== 'http:' && url.protocol !== 'https:'
        ? `must start with http:// or https://, got ${show(text)}`
        : url.username || url.password
          ? "must not carry a user or password: give them as the node's authentication (--user and --password), which is kept secret"
          : url.search || url.hash
            ? `must be the service's base URL without a query or fragment, got ${show(text)}`
            : undefined;
    if (problem) ctx.addIssue({ code: 'custom', message: problem, input: text });
  })
  .overwrite((text) => (URL.canParse(text) ? new URL(text).toString().replace(/\/+$/, '') : text));

/** The path of a PEM file (certificate, key or CA bundle): whether it can be read is checked when it is used. */
export const pemFile = z.string({ error: expected('the path of a PEM file') }).regex(/\S/);

const userMessage = (i: { input?: unknown }) =>
  `must be a user name without ':' or control characters (RFC 7617), got ${i.input === undefined ? 'nothing' : 'an invalid one'}`;

/** The fields of both kinds of authentication; which belong to which is checked after them. A masked copy's `secretSet` is dropped. */
const authFields = settings({
  kind: z.enum(['basic', 'bearer'], { error: (i) => `must be "basic" or "bearer", got ${show(i.input)}` }),
  user: z
    .string({ error: userMessage })
    .min(1)
    .refine((u) => !u.includes(':') && !hasControl(u))
    .optional(),
  password: z
    .string({ error: 'must be text without control characters' })
    .refine((p) => !hasControl(p))
    .optional(),
  // RFC 6750 §2.1: b64token characters
  token: z
    .string({ error: 'must be a bearer token (letters, digits and -._~+/ then =, RFC 6750)' })
    .regex(/^[A-Za-z0-9\-._~+/]+=*$/)
    .optional(),
  secretSet: bool.optional(),
});

const auth = authFields.transform((a, ctx): DicomwebAuth => {
  if (a.kind === 'basic') {
    if (a.user === undefined) fault(ctx, ['user'], userMessage({}));
    else if (a.token !== undefined) fault(ctx, ['token'], 'belongs to Bearer authentication, not Basic');
    return { kind: 'basic', user: a.user ?? '', ...(a.password === undefined ? {} : { password: a.password }) };
  }
  if (a.user !== undefined || a.password !== undefined) fault(ctx, ['user'], 'and password belong to Basic authentication, not Bearer');
  return { kind: 'bearer', ...(a.token === undefined ? {} : { token: a.token }) };
});

/** A node's `dicomweb` section. */
export const dicomwebSettings = settings({
  url: dicomwebUrl.describe("The service's base URL, e.g. http://pacs:8042/dicom-web."),
  auth: auth.describe('HTTP Basic (user, password) or Bearer (token) authentication.').optional(),
  caFile: pemFile.describe("CA bundle (PEM file) the HTTPS server's certificate must chain to; absent = the system's CAs.").optional(),
}).transform((d, ctx): DicomwebSettings => {
  if (d.caFile !== undefined && !d.url.startsWith('https:')) fault(ctx, ['caFile'], 'applies to an https:// URL only');
  return d;
});

/** Checks a DICOMweb base URL: the URL without its trailing slash, or what is wrong with it. */
export function checkDicomwebUrl(raw: unknown): Result<string, string> {
  return parseWith(dicomwebUrl, raw);
}

/** Validates a node's `dicomweb` section; errors name the field under `path`. */
export function checkDicomweb(raw: unknown, path = 'dicomweb'): Result<DicomwebSettings, string> {
  return parseWith(dicomwebSettings, raw, path);
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
