/** `priors nodes add|rm|ls`: the remote nodes of the configuration. */
import { maskSecrets } from '../../../shared/dicomweb-config.js';
import {
  ARRIVAL_COMPRESSIONS,
  checkIssuer,
  isArchive,
  nodeAddressText,
  nodeProtocol,
  parseNodeAddress,
  type OutgoingSettings,
  type QueryModel,
  type RemoteNode,
  type RetrieveMethod,
} from '../../../shared/config.js';
import { TRANSFER_SYNTAXES, TransferSyntaxUid, uidName, type TransferSyntaxEntry } from '../../../shared/dicom/uids.js';
import { InputError } from '../../services/nodes/nodes.js';
import { checkCharacterSet, characterSetLabel } from '../../../shared/dicom/charset-terms.js';
import { choiceOption, expectPositionals, intOption, UsageError, type OptionSpec } from '../args.js';
import type { CommandContext } from '../context.js';
import { table } from '../output.js';
import { DICOMWEB_OPTIONS, dicomwebOf } from './nodes-dicomweb.js';

export const NODES_OPTIONS: readonly OptionSpec[] = [
  { name: 'method', kind: 'value' },
  { name: 'model', short: 'm', kind: 'value' },
  { name: 'max-associations', kind: 'value' },
  { name: 'replace', kind: 'flag' },
  { name: 'tls-ca', kind: 'value' },
  { name: 'tls-cert', kind: 'value' },
  { name: 'tls-key', kind: 'value' },
  { name: 'worklist', kind: 'flag' },
  { name: 'no-query', kind: 'flag' },
  { name: 'station-aet', kind: 'value' },
  { name: 'worklist-modality', kind: 'value' },
  { name: 'hours-ahead', kind: 'value' },
  { name: 'poll-minutes', kind: 'value' },
  { name: 'never-decompress', kind: 'value' },
  { name: 'prefer', kind: 'value' },
  { name: 'compress-on-arrival', kind: 'value' },
  { name: 'issuer', kind: 'value' },
  { name: 'charset', kind: 'value' },
  ...DICOMWEB_OPTIONS,
];

const USAGE =
  'priors nodes add <name> <AET@host:port> [--method move|get] [--model study|patient|patientstudy] [--tls-ca CA.pem [--tls-cert CERT.pem --tls-key KEY.pem]]' +
  ' [--worklist [--station-aet AET] [--worklist-modality CT] [--hours-ahead N] [--poll-minutes N]] [--no-query]' +
  ' [--never-decompress SYNTAX,...] [--prefer SYNTAX] [--compress-on-arrival jpeg-ls-lossless|rle-lossless|off]' +
  ' [--issuer ISSUER] [--charset "ISO_IR 100"] | nodes rm <name> | nodes ls';

/** A transfer syntax given by UID or PS3.6 keyword (any case), e.g. JPEGLSLossless. */
function syntaxOption(text: string, option: string): TransferSyntaxEntry {
  const t = text.trim();
  const found = TRANSFER_SYNTAXES.find((e) => e.uid === t || e.keyword.toLowerCase() === t.toLowerCase());
  if (!found)
    throw new InputError(
      `${option}: "${t}" is not a transfer syntax Priors knows; give its UID or its keyword, e.g. ${TransferSyntaxUid.JPEGLSLossless} or JPEGLSLossless`,
    );
  return found;
}

/** What a node is sent (--never-decompress, --prefer), checked. */
function outgoingOptions(ctx: CommandContext): OutgoingSettings | undefined {
  const never = ctx.args.values.get('never-decompress');
  const prefer = ctx.args.values.get('prefer');
  if (never === undefined && prefer === undefined) return undefined;
  const out: OutgoingSettings = {};
  if (never !== undefined) {
    out.neverDecompress = never
      .split(',')
      .filter((t) => t.trim())
      .map((t) => {
        const e = syntaxOption(t, '--never-decompress');
        if (!e.encapsulated) throw new InputError(`--never-decompress: ${e.name} is not compressed; list compressed syntaxes only`);
        return e.uid;
      });
  }
  if (prefer !== undefined) {
    const e = syntaxOption(prefer, '--prefer');
    if (e.encapsulated || e.deflated)
      throw new InputError(
        `--prefer: ${e.name} is compressed, and Priors does not compress on the way out; prefer ImplicitVRLittleEndian, ExplicitVRLittleEndian or ExplicitVRBigEndian`,
      );
    out.preferred = e.uid;
  }
  return out;
}
/** --issuer (the Issuer of Patient ID its answers leave out) and --charset (the Specific Character Set of its queries), checked. */
function identityOptions(ctx: CommandContext): Pick<RemoteNode, 'issuer' | 'characterSet'> {
  const out: Pick<RemoteNode, 'issuer' | 'characterSet'> = {};
  const issuer = ctx.args.values.get('issuer');
  if (issuer !== undefined) {
    const checked = checkIssuer(issuer);
    if (!checked.ok) throw new InputError(`--issuer ${checked.error}`);
    out.issuer = checked.value;
  }
  const charset = ctx.args.values.get('charset');
  if (charset !== undefined) {
    const checked = checkCharacterSet(charset);
    if (!checked.ok) throw new InputError(`--charset ${checked.error}`);
    out.characterSet = checked.value;
  }
  return out;
}

const WORKLIST_ONLY = ['station-aet', 'worklist-modality', 'hours-ahead', 'poll-minutes'];

function nodeRow(n: RemoteNode): Record<string, string> {
  return {
    name: n.name,
    address: nodeAddressText(n),
    model: n.model,
    method: n.method,
    maxAssociations: String(n.maxAssociations),
    tls: n.tls ? 'yes' : 'no',
    archive: isArchive(n) ? 'yes' : 'no',
    issuer: n.issuer ?? '',
    charset: n.characterSet ? `${n.characterSet} (${characterSetLabel(n.characterSet)})` : '',
    sent: [
      n.outgoing?.preferred ? `prefers ${uidName(n.outgoing.preferred)}` : '',
      n.outgoing?.neverDecompress?.length ? `never decompressed: ${n.outgoing.neverDecompress.map(uidName).join(', ')}` : '',
    ]
      .filter(Boolean)
      .join('; '),
    worklist: n.worklist
      ? `every ${n.worklist.intervalMinutes} min, ${n.worklist.hoursAhead} h ahead${n.worklist.stationAeTitle ? `, station ${n.worklist.stationAeTitle}` : ''}${n.worklist.modality ? `, ${n.worklist.modality}` : ''}`
      : '',
  };
}

export async function nodesCommand(ctx: CommandContext): Promise<number> {
  const [sub, ...rest] = ctx.args.positionals;
  const args = { ...ctx.args, positionals: rest };
  switch (sub) {
    case 'add': {
      const [name, address] = expectPositionals(args, 2, 2, USAGE);
      const web = dicomwebOf(ctx, address!);
      const parsed = web?.only ? undefined : parseNodeAddress(address!);
      if (parsed && !parsed.ok) throw new InputError(parsed.error);
      const model = choiceOption<QueryModel>(ctx.args, 'model', ['study', 'patient', 'patientstudy'], '--model');
      const method = choiceOption<RetrieveMethod>(ctx.args, 'method', ['move', 'get', 'wado']);
      const maxAssociations = intOption(ctx.args, 'max-associations', 1, 64);
      const [caFile, certFile, keyFile] = ['tls-ca', 'tls-cert', 'tls-key'].map((k) => ctx.args.values.get(k));
      const tls =
        !web?.only && (caFile ?? certFile ?? keyFile)
          ? { ...(caFile ? { caFile } : {}), ...(certFile ? { certFile } : {}), ...(keyFile ? { keyFile } : {}) }
          : undefined;
      const given = WORKLIST_ONLY.find((k) => ctx.args.values.has(k));
      if (given && !ctx.args.flags.has('worklist')) throw new InputError(`--${given} needs --worklist (it describes a worklist provider)`);
      const worklist = ctx.args.flags.has('worklist')
        ? {
            ...(ctx.args.values.has('station-aet') ? { stationAeTitle: ctx.args.values.get('station-aet') } : {}),
            ...(ctx.args.values.has('worklist-modality') ? { modality: ctx.args.values.get('worklist-modality') } : {}),
            ...(ctx.args.values.has('hours-ahead') ? { hoursAhead: intOption(ctx.args, 'hours-ahead', 1, 168) } : {}),
            ...(ctx.args.values.has('poll-minutes') ? { intervalMinutes: intOption(ctx.args, 'poll-minutes', 1, 1440) } : {}),
          }
        : undefined;
      const outgoing = outgoingOptions(ctx);
      const compressOnArrival = choiceOption<NonNullable<RemoteNode['compressOnArrival']>>(ctx.args, 'compress-on-arrival', [...ARRIVAL_COMPRESSIONS, 'off']);
      const identity = identityOptions(ctx);
      const node = await ctx.store.addNode(
        {
          ...identity,
          name: name!,
          ...(parsed?.ok ? parsed.value : {}),
          ...(web ? { dicomweb: web.settings } : {}),
          ...(tls ? { tls } : {}),
          ...(worklist ? { worklist: worklist as RemoteNode['worklist'] } : {}),
          ...(ctx.args.flags.has('no-query') ? { queryRetrieve: false } : {}),
          ...(outgoing ? { outgoing } : {}),
          ...(compressOnArrival ? { compressOnArrival } : {}),
          ...(model ? { model } : {}),
          ...(method ? { method } : {}),
          ...(maxAssociations ? { maxAssociations } : {}),
        },
        { replace: ctx.args.flags.has('replace') },
      );
      ctx.result(
        { ok: true, node: maskSecrets(node) },
        node.worklist
          ? `Added worklist provider ${node.name}: ${nodeAddressText(node)}, asked every ${node.worklist.intervalMinutes} min for the procedures of the next ${node.worklist.hoursAhead} h${node.worklist.stationAeTitle ? ` of station ${node.worklist.stationAeTitle}` : ''}${node.worklist.modality ? ` (${node.worklist.modality})` : ''} by "priors serve".`
          : `Added node ${node.name}: ${nodeAddressText(node)} (${nodeProtocol(node) === 'dicomweb' ? 'DICOMweb' : `${node.model} root`}, ${node.method}${node.tls ? ', DICOM TLS' : ''}${node.dicomweb?.auth ? `, ${node.dicomweb.auth.kind === 'basic' ? `user ${node.dicomweb.auth.user}` : 'bearer token'}` : ''}).`,
      );
      return 0;
    }
    case 'rm': {
      const [name] = expectPositionals(args, 1, 1, USAGE);
      if (!(await ctx.store.removeNode(name!))) throw new InputError(`No node named "${name}" is configured; "priors nodes ls" lists them`);
      ctx.result({ ok: true, removed: name }, `Removed node ${name}.`);
      return 0;
    }
    case 'ls': {
      expectPositionals(args, 0, 0, USAGE);
      const nodes = await ctx.store.listNodes();
      ctx.result(
        { ok: true, nodes: nodes.map(maskSecrets) },
        nodes.length ? table(nodes.map(nodeRow)) : 'No nodes configured; add one with "priors nodes add <name> AET@host:port".',
      );
      return 0;
    }
    default:
      throw new UsageError(sub ? `Unknown nodes command "${sub}": usage is "${USAGE}"` : `Missing nodes command: usage is "${USAGE}"`);
  }
}
