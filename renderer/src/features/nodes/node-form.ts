/**
 * The forms of Nodes & settings without a DOM: per-field messages from the validators of
 * shared/config.ts (shown next to each field), the calling-AE policy as text, what needs
 * a restart of our DICOM server, and a node's roles in prefetch (archive, worklist provider).
 */
import type { NodeInput, ServerStatus, Settings } from '../../../../shared/api/contract.js';
import {
  type CallingAePolicy,
  checkAeTitle,
  checkHost,
  checkNodeName,
  checkPort,
  DEFAULT_WORKLIST_HOURS_AHEAD,
  DEFAULT_WORKLIST_INTERVAL_MINUTES,
  isArchive,
  type RemoteNode,
  serviceAccess,
  type ServiceAccessPolicy,
} from '../../../../shared/config.js';
import { isDicomwebNode } from './dicomweb-form.js';
import { withServices } from './local-settings.js';

/** A field's message, or nothing when the field is valid. */
export type FieldErrors<K extends string> = Partial<Record<K, string>>;

/** Node fields with a validator. */
export type NodeField = 'name' | 'aeTitle' | 'host' | 'port';

/** The message of each invalid node field ("AE title must be at most 16 characters, …"). */
export function nodeFieldErrors(input: NodeInput): FieldErrors<NodeField> {
  const out: FieldErrors<NodeField> = {};
  const name = checkNodeName(input.name);
  if (!name.ok) out.name = `Name ${name.error}.`;
  if (isDicomwebNode(input)) return out; // no DIMSE address: its URL is dicomweb-form.ts's
  const ae = checkAeTitle(input.aeTitle);
  if (!ae.ok) out.aeTitle = `AE title ${ae.error}.`;
  const host = checkHost(input.host);
  if (!host.ok) out.host = `Host ${host.error}.`;
  const port = checkPort(input.port);
  if (!port.ok) out.port = `Port ${port.error}.`;
  return out;
}

/** What the settings form edits, as typed. */
export interface LocalForm {
  aeTitle: string;
  port: string;
  bindAddress: string;
  policyMode: CallingAePolicy['mode'];
  /** AE titles of the 'list' policy, separated by commas, spaces or new lines. */
  policyList: string;
  /** A configured node's AE title only from that node's host. */
  bindToHost: boolean;
  /** Who may use each service of our SCP. */
  services: ServiceAccessPolicy;
}

/** Settings field names. */
export type LocalField = 'aeTitle' | 'port' | 'bindAddress' | 'policyList';

/** The form's values from saved settings. */
export function localFormOf(s: Settings): LocalForm {
  return {
    aeTitle: s.local.aeTitle,
    port: String(s.local.port),
    bindAddress: s.local.bindAddress,
    policyMode: s.callingAePolicy.mode,
    policyList: (s.callingAePolicy.aeTitles ?? []).join(', '),
    bindToHost: s.callingAePolicy.bindToHost === true,
    services: serviceAccess(s.callingAePolicy),
  };
}

/** Splits a typed list of AE titles (commas, semicolons, new lines; spaces inside a title are kept). */
export function splitAeTitles(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[,;\n]+/)
        .map((t) => t.trim())
        .filter((t) => t !== ''),
    ),
  ];
}

/** Checks the form; the settings to save, or the message of each bad field. */
export function settingsFromForm(base: Settings, f: LocalForm): { ok: true; settings: Settings } | { ok: false; errors: FieldErrors<LocalField> } {
  const errors: FieldErrors<LocalField> = {};
  const ae = checkAeTitle(f.aeTitle);
  if (!ae.ok) errors.aeTitle = `AE title ${ae.error}.`;
  const port = checkPort(f.port);
  if (!port.ok) errors.port = `Port ${port.error}.`;
  const bind = checkHost(f.bindAddress);
  if (!bind.ok) errors.bindAddress = `Bind address ${bind.error}.`;
  const titles = splitAeTitles(f.policyList);
  if (f.policyMode === 'list') {
    const bad = titles.map((t) => [t, checkAeTitle(t)] as const).find(([, c]) => !c.ok);
    if (titles.length === 0) errors.policyList = 'List at least one AE title that may connect.';
    else if (bad && !bad[1].ok) errors.policyList = `AE title "${bad[0]}" ${bad[1].error}.`;
  }
  if (!ae.ok || !port.ok || !bind.ok || Object.keys(errors).length > 0) return { ok: false, errors };
  // every field of the policy the form does not edit stays as it was
  const { aeTitles: _titles, bindToHost: _bound, ...kept } = base.callingAePolicy;
  const policy: CallingAePolicy = withServices(
    {
      ...kept,
      mode: f.policyMode,
      ...(f.policyMode === 'list' ? { aeTitles: titles } : {}),
      ...(f.bindToHost ? { bindToHost: true } : {}),
    },
    f.services,
  );
  return { ok: true, settings: { ...base, local: { ...base.local, aeTitle: ae.value, port: port.value, bindAddress: bind.value }, callingAePolicy: policy } };
}

/** One line about our server: listening where, or why not (a state/message field when the server reports one). */
export function serverSentence(server: ServerStatus): string {
  if (server.listening) return `Listening as ${server.aeTitle} on ${server.host ?? ''}:${server.port ?? ''}.`;
  if (server.message) return server.message;
  return server.state ? `Not listening (${server.state}).` : 'Not listening: the DICOM server does not run in this process.';
}

/** The calling-AE policy in words. */
export function policySentence(p: CallingAePolicy): string {
  const bound = p.bindToHost ? " A configured node's AE title is accepted only from that node's host." : '';
  if (p.mode === 'any') return `Any AE title may connect.${bound}`;
  if (p.mode === 'configured') return `Only the AE titles of the configured nodes may connect.${bound}`;
  return `Only these AE titles may connect: ${(p.aeTitles ?? []).join(', ') || '(none)'}.${bound}`;
}

/**
 * What a node is to prefetch, as the form edits it: an archive searched for priors
 * (`queryRetrieve`), and a worklist provider polled for scheduled procedures (`worklist`).
 */
export interface RolesForm {
  archive: boolean;
  worklist: boolean;
  stationAeTitle: string;
  modality: string;
  hoursAhead: string;
  intervalMinutes: string;
}

/** Worklist fields with a check. */
export type RolesField = 'stationAeTitle' | 'modality' | 'hoursAhead' | 'intervalMinutes';

/** The form of a node's roles (a new node: an archive, not a worklist provider). */
export function rolesFormOf(node: Pick<NodeInput, 'worklist' | 'queryRetrieve'>): RolesForm {
  const w = node.worklist;
  return {
    archive: node.queryRetrieve ?? !w,
    worklist: !!w,
    stationAeTitle: w?.stationAeTitle ?? '',
    modality: w?.modality ?? '',
    hoursAhead: String(w?.hoursAhead ?? DEFAULT_WORKLIST_HOURS_AHEAD),
    intervalMinutes: String(w?.intervalMinutes ?? DEFAULT_WORKLIST_INTERVAL_MINUTES),
  };
}

/**
 * Ticks or unticks "Worklist provider". "Archive" follows while it holds what the node implied
 * (a RIS is not searched for priors; a node that stops being one is an archive again); once set
 * apart from that by hand, it stays.
 */
export function withWorklistTicked(f: RolesForm, on: boolean): RolesForm {
  return { ...f, worklist: on, archive: f.archive === !f.worklist ? !on : f.archive };
}

/** A whole number from the form within the bounds of shared/config.ts's reader. */
function wholeIn(text: string, min: number, max: number): number | undefined {
  const t = text.trim();
  const n = /^\d{1,6}$/.test(t) ? Number(t) : NaN;
  return n >= min && n <= max ? n : undefined;
}

/**
 * The node with its roles from the form, or the message of each bad worklist field.
 * `queryRetrieve` is written only when it differs from what the node implies (an archive
 * unless it is a worklist provider), so config.json stays as short as the CLI writes it.
 */
export function withRoles(input: NodeInput, f: RolesForm): { ok: true; node: NodeInput } | { ok: false; errors: FieldErrors<RolesField> } {
  const { worklist: _w, queryRetrieve: _q, ...rest } = input;
  const node: NodeInput = { ...rest };
  if (f.worklist) {
    const errors: FieldErrors<RolesField> = {};
    const station = f.stationAeTitle.trim();
    const ae = station ? checkAeTitle(station) : undefined;
    if (ae && !ae.ok) errors.stationAeTitle = `Station AE title ${ae.error}.`;
    const modality = f.modality.trim().toUpperCase();
    if (modality && !/^[A-Z0-9]{1,16}$/.test(modality)) errors.modality = `Modality must be a modality such as CT or MR, got "${f.modality.trim()}".`;
    const hoursAhead = wholeIn(f.hoursAhead, 1, 168);
    if (hoursAhead === undefined) errors.hoursAhead = `Hours ahead must be a whole number from 1 to 168, got "${f.hoursAhead.trim()}".`;
    const intervalMinutes = wholeIn(f.intervalMinutes, 1, 1440);
    if (intervalMinutes === undefined)
      errors.intervalMinutes = `Poll every must be a whole number of minutes from 1 to 1440, got "${f.intervalMinutes.trim()}".`;
    if (Object.keys(errors).length > 0 || hoursAhead === undefined || intervalMinutes === undefined) return { ok: false, errors };
    node.worklist = { hoursAhead, intervalMinutes, ...(ae?.ok ? { stationAeTitle: ae.value } : {}), ...(modality ? { modality } : {}) };
  }
  if (f.archive !== !f.worklist) node.queryRetrieve = f.archive;
  return { ok: true, node };
}

/** A node's roles in prefetch, for the node list: "archive", "worklist", both, or "not searched". */
export function rolesText(node: Pick<RemoteNode, 'worklist' | 'queryRetrieve'>): string {
  const roles = [...(isArchive(node as RemoteNode) ? ['archive'] : []), ...(node.worklist ? ['worklist'] : [])];
  return roles.join(', ') || 'not searched';
}
