/**
 * The DICOMweb options of `priors nodes add`: `<name> http(s)://host:port/path --dicomweb
 * [--user U --password P | --bearer TOKEN] [--tls-ca F]`, or `<name> AET@host:port --dicomweb-url URL`
 * for a node with both protocols. A secret on the command line is visible to other users in
 * `ps`: it can come from a file (first line) or an environment variable instead.
 */
import { readFileSync } from 'node:fs';
import { checkDicomweb, type DicomwebAuth, type DicomwebSettings } from '../../../shared/dicomweb-config.js';
import { InputError } from '../../services/nodes/nodes.js';
import type { OptionSpec } from '../args.js';
import type { CommandContext } from '../context.js';

export const DICOMWEB_OPTIONS: readonly OptionSpec[] = [
  { name: 'dicomweb', kind: 'flag' },
  { name: 'dicomweb-url', kind: 'value' },
  { name: 'user', kind: 'value' },
  { name: 'password', kind: 'value' },
  { name: 'password-file', kind: 'value' },
  { name: 'password-env', kind: 'value' },
  { name: 'bearer', kind: 'value' },
  { name: 'bearer-file', kind: 'value' },
  { name: 'bearer-env', kind: 'value' },
];

/** The help lines of these options. */
export const DICOMWEB_HELP = `  priors nodes add <name> http(s)://host:port/path --dicomweb [--user U --password P | --bearer TOKEN] [--tls-ca CA.pem]
                  a DICOMweb archive (QIDO-RS, WADO-RS, STOW-RS); --dicomweb-url URL adds one to a DIMSE node
                  (C-GET, then C-MOVE, then WADO-RS). Secrets on the command line show in "ps": use
                  --password-file F / --bearer-file F (first line of F) or --password-env VAR / --bearer-env VAR instead`;

/** One secret from its option, its file (first line) or its environment variable; at most one of them. */
function secret(ctx: CommandContext, name: 'password' | 'bearer'): string | undefined {
  const given = [name, `${name}-file`, `${name}-env`].filter((o) => ctx.args.values.has(o));
  if (given.length > 1) throw new InputError(`Give the ${name === 'bearer' ? 'token' : 'password'} once: --${given.join(' and --')} were both given`);
  const value = ctx.args.values.get(name);
  if (value !== undefined) return value;
  const file = ctx.args.values.get(`${name}-file`);
  if (file !== undefined) {
    try {
      return readFileSync(file, 'utf8').split(/\r?\n/)[0]!;
    } catch (e) {
      throw new InputError(`--${name}-file ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
  }
  const variable = ctx.args.values.get(`${name}-env`);
  if (variable !== undefined) {
    const v = ctx.env[variable];
    if (v === undefined || v === '') throw new InputError(`--${name}-env ${variable}: the environment variable ${variable} is not set`);
    return v;
  }
  return undefined;
}

/** The node's authentication from --user/--password… or --bearer…, checked. */
function authOf(ctx: CommandContext): DicomwebAuth | undefined {
  const user = ctx.args.values.get('user');
  const password = secret(ctx, 'password');
  const token = secret(ctx, 'bearer');
  if (token !== undefined && (user !== undefined || password !== undefined))
    throw new InputError('Give either --user and --password (Basic) or --bearer (a token), not both');
  if (password !== undefined && user === undefined) throw new InputError('--password needs --user');
  if (user !== undefined) {
    if (password === undefined) throw new InputError('--user needs a password: --password P, --password-file F or --password-env VAR');
    return { kind: 'basic', user, password };
  }
  return token !== undefined ? { kind: 'bearer', token } : undefined;
}

const WEB_ONLY = ['user', 'password', 'password-file', 'password-env', 'bearer', 'bearer-file', 'bearer-env'];

/**
 * The DICOMweb side of `nodes add`: for `--dicomweb` the address is the URL; for `--dicomweb-url`
 * the address stays the DIMSE one. Undefined when neither is given.
 */
export function dicomwebOf(ctx: CommandContext, address: string): { settings: DicomwebSettings; only: boolean } | undefined {
  const only = ctx.args.flags.has('dicomweb');
  const extra = ctx.args.values.get('dicomweb-url');
  if (only && extra !== undefined) throw new InputError('--dicomweb-url adds a DICOMweb URL to a DIMSE node; with --dicomweb the address itself is the URL');
  const url = only ? address : extra;
  if (url === undefined) {
    const stray = WEB_ONLY.find((o) => ctx.args.values.has(o));
    if (stray) throw new InputError(`--${stray} applies to a DICOMweb node: add --dicomweb (with a http(s):// address) or --dicomweb-url URL`);
    if (/^https?:\/\//i.test(address))
      throw new InputError(`${address} is a URL: add --dicomweb to configure a DICOMweb node ("priors nodes add <name> ${address} --dicomweb")`);
    return undefined;
  }
  const auth = authOf(ctx);
  const caFile = ctx.args.values.get('tls-ca');
  if (only && caFile !== undefined && !/^https:/i.test(url)) throw new InputError(`--tls-ca applies to an https:// URL: ${url} is plain HTTP`);
  const checked = checkDicomweb({ url, ...(auth ? { auth } : {}), ...(caFile && /^https:/i.test(url) ? { caFile } : {}) }, 'the DICOMweb node');
  if (!checked.ok) throw new InputError(checked.error.replace(/^the DICOMweb node\.url /, `The URL ${url} `));
  return { settings: checked.value, only };
}
