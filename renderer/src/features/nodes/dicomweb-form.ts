/**
 * A DICOMweb node in the node form without a DOM: switching a node between DICOM (DIMSE) and
 * DICOMweb, its base URL, authentication and HTTPS CA as typed, and the check of them by
 * shared/dicomweb-config.ts (as `priors nodes add <name> <url> --dicomweb` writes them). A stored
 * password or token is never sent to the form: left empty, the stored one is kept.
 */
import type { NodeInput } from '../../../../shared/api/contract.js';
import { checkDicomweb, type DicomwebAuth, type DicomwebSettings } from '../../../../shared/dicomweb-config.js';
import type { FieldErrors } from './node-form.js';

/** DICOMweb fields with a check. */
export type DicomwebField = 'url' | 'user' | 'secret' | 'caFile';

/** How the form authenticates. */
export type AuthKind = 'none' | 'basic' | 'bearer';

/** Whether the node is a DICOMweb node (searched by QIDO-RS, retrieved by WADO-RS). */
export function isDicomwebNode(node: NodeInput): boolean {
  return node.protocol === 'dicomweb' || (node.aeTitle === undefined && node.dicomweb !== undefined);
}

/** The node switched to DICOMweb (its DIMSE address and TLS dropped) or back to DIMSE. */
export function withProtocol(node: NodeInput, web: boolean): NodeInput {
  const { aeTitle: _a, host: _h, port: _p, tls: _t, worklist: _w, protocol: _pr, dicomweb, method: _m, maxIncomingAssociations: _i, ...rest } = node;
  return web
    ? { ...rest, protocol: 'dicomweb', method: 'wado', dicomweb: dicomweb ?? { url: '' } }
    : { ...rest, aeTitle: node.aeTitle ?? '', host: node.host ?? '127.0.0.1', port: node.port ?? 104, method: 'move' };
}

/** The node with one DICOMweb setting changed ('' leaves an optional one out). */
export function withDicomweb(node: NodeInput, change: Partial<{ url: string; caFile: string; kind: AuthKind; user: string; secret: string }>): NodeInput {
  const web: DicomwebSettings = { ...(node.dicomweb ?? { url: '' }) };
  if (change.url !== undefined) web.url = change.url;
  if (change.caFile !== undefined) {
    delete web.caFile;
    if (change.caFile.trim() !== '') web.caFile = change.caFile.trim();
  }
  const kind = change.kind ?? authKindOf(node);
  const old = web.auth;
  const user = change.user ?? (old?.kind === 'basic' ? old.user : '');
  // a stored secret (secretSet) stays stored as long as nothing new is typed
  const kept = old && old.kind === kind && 'secretSet' in old && old.secretSet ? { secretSet: true } : {};
  const secret = change.secret ?? (old?.kind === 'basic' ? old.password : old?.kind === 'bearer' ? old.token : undefined);
  let auth: DicomwebAuth | undefined;
  if (kind === 'basic') auth = { kind: 'basic', user, ...(secret ? { password: secret } : kept) };
  else if (kind === 'bearer') auth = { kind: 'bearer', ...(secret ? { token: secret } : kept) };
  delete web.auth;
  return { ...node, dicomweb: { ...web, ...(auth ? { auth } : {}) } };
}

/** The authentication the form shows. */
export function authKindOf(node: NodeInput): AuthKind {
  return node.dicomweb?.auth?.kind ?? 'none';
}

/** Whether a secret is stored for the node (the form shows it as kept). */
export function secretStored(node: NodeInput): boolean {
  const a = node.dicomweb?.auth as { secretSet?: boolean } | undefined;
  return a?.secretSet === true;
}

/** The message of each bad DICOMweb field, from the shared check. */
export function dicomwebFieldErrors(node: NodeInput): FieldErrors<DicomwebField> {
  if (!isDicomwebNode(node)) return {};
  const auth = node.dicomweb?.auth;
  if (auth?.kind === 'basic' && auth.password === undefined && !secretStored(node)) return { secret: 'Give the password for this user.' };
  if (auth?.kind === 'bearer' && auth.token === undefined && !secretStored(node)) return { secret: 'Give the bearer token.' };
  const checked = checkDicomweb(node.dicomweb ?? { url: '' }, 'dicomweb');
  if (checked.ok) return {};
  const field: DicomwebField = /^dicomweb\.url/.test(checked.error)
    ? 'url'
    : /^dicomweb\.caFile/.test(checked.error)
      ? 'caFile'
      : /^dicomweb\.auth\.user/.test(checked.error)
        ? 'user'
        : 'secret';
  const words: Record<DicomwebField, string> = { url: 'The URL', caFile: 'The CA file', user: 'The user', secret: 'The secret' };
  return { [field]: `${words[field]} ${checked.error.replace(/^dicomweb\.[A-Za-z.]+ /, '')}.` };
}
