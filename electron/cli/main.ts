/**
 * The `priors` command line: the headless face of the services. Each command prints its
 * result (human-readable, or JSON with --json) and exits 0, or prints ONE sentence saying
 * what to fix on stderr and exits non-zero (2 for bad input, 1 for everything else; 3 for a
 * search of several nodes in which some failed).
 */
import { diagnose, type Diagnosis } from '../../shared/diagnostics.js';
import { describeError } from '../services/nodes/diagnose.js';
import { packageVersion } from '../services/config/package-root.js';
import { COMMON_OPTIONS, parseArgs, SCU_OPTIONS, UsageError, type OptionSpec } from './args.js';
import { echoCommand } from './commands/echo.js';
import { EXPORT_OPTIONS, exportCommand } from './commands/export.js';
import { findCommand, QUERY_OPTIONS } from './commands/find.js';
import { AUDIT_OPTIONS, auditCommand } from './commands/audit.js';
import { DIAGNOSTICS_OPTIONS, diagnosticsCommand } from './commands/diagnostics.js';
import { DOCTOR_OPTIONS, doctorCommand } from './commands/doctor.js';
import { importCommand, lsCommand } from './commands/local.js';
import { nodesCommand, NODES_OPTIONS } from './commands/nodes.js';
import { DICOMWEB_HELP } from './commands/nodes-dicomweb.js';
import { PREFETCH_OPTIONS, prefetchCommand } from './commands/prefetch.js';
import { RETRIEVE_OPTIONS, retrieveCommand } from './commands/retrieve.js';
import { SEND_OPTIONS, sendCommand } from './commands/send.js';
import { SERVE_OPTIONS, serveCommand } from './commands/serve.js';
import { CommandContext } from './context.js';
import { CommandFailure } from './failure.js';
import { processIo, type Io } from './output.js';

interface Command {
  options: readonly OptionSpec[];
  run(ctx: CommandContext): Promise<number>;
}

export const COMMANDS: Record<string, Command> = {
  serve: { options: SERVE_OPTIONS, run: serveCommand },
  echo: { options: SCU_OPTIONS, run: echoCommand },
  find: { options: [...QUERY_OPTIONS, ...SCU_OPTIONS], run: findCommand },
  move: { options: [...RETRIEVE_OPTIONS, ...SCU_OPTIONS], run: (ctx) => retrieveCommand(ctx, 'move') },
  get: { options: [...RETRIEVE_OPTIONS, ...SCU_OPTIONS], run: (ctx) => retrieveCommand(ctx, 'get') },
  send: { options: [...SEND_OPTIONS, ...SCU_OPTIONS], run: sendCommand },
  import: { options: [], run: importCommand },
  export: { options: EXPORT_OPTIONS, run: exportCommand },
  ls: { options: QUERY_OPTIONS, run: lsCommand },
  nodes: { options: NODES_OPTIONS, run: nodesCommand },
  prefetch: { options: PREFETCH_OPTIONS, run: prefetchCommand },
  audit: { options: AUDIT_OPTIONS, run: auditCommand },
  doctor: { options: DOCTOR_OPTIONS, run: doctorCommand },
  diagnostics: { options: DIAGNOSTICS_OPTIONS, run: diagnosticsCommand },
};

export const HELP = `priors — find a patient's prior studies on the PACS and pull them in.

Usage:
  priors serve [--aet TITLE] [--port N] [--bind ADDR]      run the local DICOM SCP until Ctrl-C
                  [--ui [--ui-port N]]   (also the UI, in a browser at the printed URL)
  priors echo <node>                                      C-ECHO
  priors find <node> [-L LEVEL] [-m MODEL] [-k Key=Value]... [--limit N]
  priors find a,b,c | all ...                             several nodes (all: every archive), answers merged;
                                                          exit 3 when some nodes failed (each says why on stderr)
  priors move <node> -k Key=Value... [-L LEVEL] [--dest AET]
  priors get <node> -k Key=Value... [-L LEVEL]
  priors send <node> <path...> | --study UID
  priors import <path...>                                 copy DICOM files into the cache (a medium's DICOMDIR is followed)
  priors export --study <UID>... --out <dir|file.zip> [--dicomdir] [--zip]
                  [--deidentify [--pseudonym NAME] [--retain-dates] [--clean-descriptors] [--allow-burned-in]]
                  cached studies to a new or empty folder, as stored; --dicomdir: a CD/USB medium
                  (DICOMDIR, Explicit VR Little Endian, PS3.11 STD-GEN-CD); --zip: one ZIP, --out itself
                  when it ends in .zip, else <out>/priors-export-<date>-<time>.zip; --deidentify: PS3.15
                  Basic Profile, Patient's Name and ID the pseudonym (generated and printed when none);
                  images that may show burned-in text are left out unless --allow-burned-in
  priors ls [-L LEVEL] [-k Key=Value]...                  search the cache
  priors nodes add <name> <AET@host:port> [--method move|get] [--model study|patient|patientstudy]
                  [--worklist [--station-aet AET] [--worklist-modality CT] [--hours-ahead N] [--poll-minutes N]]
                  [--no-query]   (a modality or workstation: never searched for priors)
                  [--max-associations N] [--tls-ca CA.pem [--tls-cert CERT.pem --tls-key KEY.pem]] [--replace]
                  [--never-decompress SYNTAX,...] [--prefer SYNTAX]   (what it is sent)
                  [--compress-on-arrival jpeg-ls-lossless|rle-lossless|off]   (how what it sends is stored)
${DICOMWEB_HELP}
                  [--issuer ISSUER]  (the Issuer of Patient ID its answers leave out)
                  [--charset "ISO_IR 100"]  (the Specific Character Set its queries are written in)
  priors nodes rm <name> | priors nodes ls
  priors prefetch --patient <ID> [--issuer X] [--study UID] [--dry-run] [--no-wait]   find and fetch a patient's relevant priors
                  (--no-wait: leave a running serve's retrieves to it)
  priors prefetch rules add <name> [--node N[,N…]] [--same-modality | --modalities CT,MR] [--same-body-part]
                  [--max N] [--years N] [--all-studies] [--for CT,MR] [--min-gap-days N] [--disabled] [--replace]
                  | rules ls | rules rm <name>
  priors prefetch synonyms ls|add|rm | runs [--patient ID] | worklist <node>
  priors audit [--since DATE] [--what WHAT] [--peer AET] [--patient ID] [--failed] [--export FILE.csv|.json]
  priors doctor [--repair]                                the index against the files, and both databases' integrity
  priors diagnostics [--out FILE.zip]                     a bundle for a support ticket: config without secrets, logs, versions
  priors --version

<node> is a configured node name or AET@host:port. LEVEL: PATIENT, STUDY, SERIES, IMAGE.
MODEL: study (default), patient, patientstudy. Keys are keywords or tags (0010,0010).
echo, find, move, get and send also take --aet TITLE (our calling AE title) and --timeout SECONDS.
Every command takes --data DIR (default: $PRIORS_DATA, else the platform's folders: see README), --json, -v,
and --help for its own usage.`;

const PLACEHOLDERS: Readonly<Record<string, string>> = {
  key: 'Key=Value',
  data: 'DIR',
  aet: 'TITLE',
  timeout: 'SECONDS',
  limit: 'N',
  port: 'N',
  dest: 'AET',
  out: 'FILE',
};

/** How an option is written in a usage line. */
function written(spec: OptionSpec): string {
  const value = spec.kind === 'flag' ? '' : ` ${PLACEHOLDERS[spec.name] ?? spec.name.toUpperCase().replace(/-/g, '_')}`;
  return `${spec.short ? `-${spec.short}, ` : ''}--${spec.name}${value}${spec.kind === 'list' ? ' (repeatable)' : ''}`;
}

/** `priors <name> --help`: the command's usage lines from {@link HELP}, and every option it takes. */
export function commandHelp(name: string): string {
  const command = COMMANDS[name];
  if (!command) return HELP;
  const lines = HELP.split('\n');
  const own: string[] = [];
  let inside = false;
  for (const line of lines) {
    if (line.startsWith('  priors ')) inside = line.startsWith(`  priors ${name} `) || line === `  priors ${name}`;
    else if (!line.startsWith('   ')) inside = false;
    if (inside) own.push(line);
  }
  const options = [...command.options, ...COMMON_OPTIONS].map((s) => `  ${written(s)}`);
  return [`Usage:`, ...own, '', 'Options:', ...options, '', HELP.slice(HELP.indexOf('<node> is a configured'))].join('\n');
}

/** Options of {@link main} for tests: streams, environment and a signal replacing SIGINT. */
export interface MainOptions {
  io?: Io;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

/** Runs one command; resolves with the exit code. Never rejects. */
export async function main(argv: string[], options: MainOptions = {}): Promise<number> {
  const io = options.io ?? processIo;
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V' || name === 'version') {
    io.out(`priors ${packageVersion()}`);
    return 0;
  }
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    io.out(HELP);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  let ctx: CommandContext | undefined;
  const controller = new AbortController();
  const stop = () => controller.abort(new Error('interrupted'));
  options.signal?.addEventListener('abort', stop, { once: true });
  const ownSignals = !options.signal && name !== 'serve';
  if (ownSignals) process.once('SIGINT', stop);
  try {
    if (!command) throw new UsageError(`Unknown command "${name}"; the commands are ${Object.keys(COMMANDS).join(', ')}`);
    const args = parseArgs(rest, command.options);
    if (args.flags.has('help')) {
      io.out(commandHelp(name));
      return 0;
    }
    ctx = new CommandContext(args, io, options.env ?? process.env, controller.signal);
    return await command.run(ctx);
  } catch (err) {
    const diagnosis: Diagnosis = err instanceof CommandFailure ? err.diagnosis : diagnose(describeError(err, ctx?.failure ?? {}));
    io.err(diagnosis.sentence);
    if (ctx?.json || rest.includes('--json')) {
      const details = err instanceof CommandFailure ? err.details : {};
      io.out(JSON.stringify({ ok: false, code: diagnosis.code, error: diagnosis.sentence, ...details }, null, 2));
    }
    if (ctx?.verbose && err instanceof Error && !(err instanceof CommandFailure)) io.err(err.stack ?? err.message);
    if (err instanceof CommandFailure) return err.exitCode;
    return diagnosis.code === 'invalid-input' || diagnosis.code === 'unknown-node' ? 2 : 1;
  } finally {
    if (ownSignals) process.off('SIGINT', stop);
    options.signal?.removeEventListener('abort', stop);
  }
}
