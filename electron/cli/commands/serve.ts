/**
 * `priors serve [--aet TITLE] [--port N] [--bind ADDR] [--ui [--ui-port N]]`: the local SCP, until
 * SIGINT/SIGTERM; with --ui also the web UI on 127.0.0.1 (electron/web), its address printed.
 */
import { checkAeTitle, checkHost, defaultConfig } from '../../../shared/config.js';
import { cacheOptionsFrom, openCacheForWriting } from '../../services/config/local-cache.js';
import { InputError } from '../../services/nodes/nodes.js';
import { startServer } from '../../services/local-scp/serve.js';
import { ActivityLog } from '../../services/audit/activity-log.js';
import { openLogFile } from '../../services/audit/log-file.js';
import { startUi, type RunningUi } from '../../web/start-ui.js';
import { removeServeInfo, writeServeInfo } from '../../services/local-scp/serve-info.js';
import { expectPositionals, intOption, type OptionSpec } from '../args.js';
import type { CommandContext } from '../context.js';
import { stderrLogger } from '../output.js';

export const SERVE_OPTIONS: readonly OptionSpec[] = [
  { name: 'aet', kind: 'value' },
  { name: 'port', kind: 'value' },
  { name: 'bind', kind: 'value' },
  { name: 'ui', kind: 'flag' },
  { name: 'ui-port', kind: 'value' },
];

export async function serveCommand(ctx: CommandContext): Promise<number> {
  expectPositionals(ctx.args, 0, 0, 'priors serve [--aet TITLE] [--port N] [--bind ADDR] [--ui [--ui-port N]]');
  const config = await ctx.loadConfig();
  const aetArg = ctx.args.values.get('aet');
  let aeTitle = config.local.aeTitle;
  if (aetArg !== undefined) {
    const v = checkAeTitle(aetArg);
    if (!v.ok) throw new InputError(`--aet ${v.error}`);
    aeTitle = v.value;
  }
  const bindArg = ctx.args.values.get('bind');
  let bindAddress = config.local.bindAddress;
  if (bindArg !== undefined) {
    const v = checkHost(bindArg);
    if (!v.ok) throw new InputError(`--bind ${v.error}`);
    bindAddress = v.value;
  }
  const portArg = intOption(ctx.args, 'port', 0, 65535);
  const port = portArg ?? config.local.port;
  // which port, and why: a --port that differs from config.json lasts only as long as this process
  const configured = config.local.port === defaultConfig().local.port ? 'the default' : 'from config.json';
  const portSource = portArg !== undefined ? 'flag' : configured === 'the default' ? 'default' : 'config';
  const portWhy =
    portSource === 'flag'
      ? `port from --port${config.local.port !== port ? `; without --port Priors listens on ${config.local.port}, ${configured}` : ''}`
      : portSource === 'config'
        ? 'port from config.json'
        : 'the default port';
  const withUi = ctx.args.flags.has('ui');
  const uiPort = intOption(ctx.args, 'ui-port', 0, 65535) ?? 0;
  if (ctx.args.values.has('ui-port') && !withUi) throw new InputError('--ui-port needs --ui');
  ctx.failure = { local: { aeTitle, port } };
  // the activity log feeds the UI when there is one; the host always answers the API, so that
  // other commands on this data directory hand their work to this process
  const toStderr = stderrLogger(ctx.io, ctx.verbose, 'info');
  const logFile = openLogFile(ctx.dirs.logs);
  const activity = new ActivityLog({
    forward: (level, message) => {
      toStderr(level, message);
      logFile.log(level, message);
    },
  });
  const log = activity.logger;
  const logProblem = logFile.problem();
  if (logProblem) log('warn', logProblem);
  let cache;
  try {
    cache = await openCacheForWriting(
      ctx.dataDir,
      'another "priors serve" (or the app) already serves this data directory; stop it or use another --data directory',
      { ...cacheOptionsFrom(config), log },
    );
  } catch (e) {
    await logFile.close();
    throw e;
  }
  let handle;
  try {
    handle = await startServer({
      config,
      cache,
      aeTitle,
      port,
      bindAddress,
      log,
      nodes: async () => (await ctx.store.load().catch(() => config)).nodes,
      currentConfig: () => ctx.store.load().catch(() => config),
    });
  } catch (e) {
    await cache.close();
    await logFile.close();
    throw e;
  }
  let ui: RunningUi;
  try {
    ctx.failure = { ...ctx.failure, listenVia: 'ui-port-option' };
    const flags = {
      ...(aetArg !== undefined ? { aeTitle } : {}),
      ...(portArg !== undefined ? { port } : {}),
      ...(bindArg !== undefined ? { bindAddress } : {}),
    };
    ui = await startUi({
      dataDir: ctx.dataDir,
      configDir: ctx.dirs.config,
      config,
      cache,
      server: handle,
      activity,
      port: uiPort,
      ui: withUi,
      flags,
      logsDir: ctx.dirs.logs,
      logProblem: logFile.problem,
    });
  } catch (e) {
    await handle.close();
    await cache.close();
    await logFile.close();
    throw e;
  }
  await writeServeInfo(ctx.dataDir, { aeTitle, host: handle.host, port: handle.port, api: { url: `http://127.0.0.1:${ui.web.port}`, token: ui.web.token } });
  ctx.result(
    {
      ok: true,
      aeTitle,
      host: handle.host,
      port: handle.port,
      portSource,
      ...(handle.tlsPort ? { tlsPort: handle.tlsPort } : {}),
      dataDir: ctx.dataDir,
      ...(withUi ? { ui: ui.web.url } : {}),
    },
    `Priors serving AE title ${aeTitle} on ${handle.host}:${handle.port} (${portWhy})${handle.tlsPort ? ` (DICOM TLS on port ${handle.tlsPort})` : ''}, data in ${ctx.dataDir} (Ctrl-C to stop).` +
      (withUi ? `\nPriors UI: ${ui.web.url}` : ''),
  );
  const listeners: Array<() => void> = [];
  const signalName = await new Promise<string>((resolve) => {
    for (const name of ['SIGINT', 'SIGTERM'] as const) {
      const on = () => resolve(name);
      process.once(name, on);
      listeners.push(() => process.off(name, on));
    }
    if (ctx.signal.aborted) resolve('abort');
    ctx.signal.addEventListener('abort', () => resolve('abort'), { once: true });
  });
  for (const off of listeners) off();
  log('info', `stopping (${signalName})`);
  await ui.close();
  await handle.close();
  await removeServeInfo(ctx.dataDir);
  await cache.close();
  await logFile.close();
  if (!ctx.json) ctx.io.err('Stopped.');
  return 0;
}
