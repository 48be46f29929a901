/**
 * This workstation's settings without a DOM, beside node-form.ts: who may use each service of
 * our SCP (callingAePolicy.services), where the AE title, port and bind address in effect come
 * from (a flag of `priors serve`, config.json, the default), and what a save changed and when it
 * applies, said without claiming more than happened.
 */
import type { ServerStatus, Settings, ValueOrigin } from '../../../../shared/api/contract.js';
import { type CallingAePolicy, DEFAULT_SERVICE_ACCESS, type ServiceAccess, type ServiceAccessPolicy, serviceAccess } from '../../../../shared/config.js';

/** The services of our SCP, as the form names them. */
export const SERVICES: readonly { key: keyof ServiceAccessPolicy; label: string }[] = [
  { key: 'verification', label: 'Verification (C-ECHO)' },
  { key: 'storage', label: 'Storage (C-STORE)' },
  { key: 'queryRetrieve', label: 'Query/Retrieve (C-FIND, C-MOVE, C-GET)' },
];

/** The choices of each service's selector. */
export const ACCESS_CHOICES: readonly { value: ServiceAccess; label: string }[] = [
  { value: 'any', label: 'Any caller' },
  { value: 'nodes', label: 'Configured nodes (from their host) and this machine' },
  { value: 'local', label: 'This machine only' },
];

/**
 * The policy with the services as chosen, every other field as it was: a service left alone keeps
 * what config.json held; a changed one is written, or removed when it goes back to the default.
 */
export function withServices(policy: CallingAePolicy, chosen: ServiceAccessPolicy): CallingAePolicy {
  const now = serviceAccess(policy);
  const services: Partial<ServiceAccessPolicy> = { ...policy.services };
  for (const { key } of SERVICES) {
    if (chosen[key] === now[key]) continue;
    if (chosen[key] === DEFAULT_SERVICE_ACCESS[key]) delete services[key];
    else services[key] = chosen[key];
  }
  const { services: _old, ...rest } = policy;
  return Object.keys(services).length ? { ...rest, services } : rest;
}

/** Who may use each service, in words (for the line under the form). */
export function servicesSentence(policy: CallingAePolicy): string {
  const access = serviceAccess(policy);
  const who: Record<ServiceAccess, string> = { any: 'any caller', nodes: 'configured nodes and this machine', local: 'this machine only' };
  return (
    SERVICES.map(({ key, label }) => `${label.replace(/ \(.*\)$/, '')}: ${who[access[key]]}`).join(' · ') +
    (Object.keys(policy.services ?? {}).length === 0 ? ` (the defaults: Query/Retrieve ${who[DEFAULT_SERVICE_ACCESS.queryRetrieve]}).` : '.')
  );
}

const FLAG: Record<'aeTitle' | 'port' | 'bindAddress', string> = { aeTitle: '--aet', port: '--port', bindAddress: '--bind' };
const LABEL: Record<'aeTitle' | 'port' | 'bindAddress', string> = { aeTitle: 'AE title', port: 'Port', bindAddress: 'Bind address' };

/** Where a value in effect comes from, in words. */
export function originText(key: 'aeTitle' | 'port' | 'bindAddress', origin: ValueOrigin | undefined): string {
  if (origin === 'flag') return `from the ${FLAG[key]} flag of priors serve`;
  if (origin === 'config') return 'from config.json';
  if (origin === 'default') return 'the default';
  return 'as configured';
}

/** The values our server runs with (undefined when it does not run). */
function inEffect(server: ServerStatus): Partial<Record<'aeTitle' | 'port' | 'bindAddress', string | number>> | undefined {
  if (!server.listening) return undefined;
  return {
    aeTitle: server.aeTitle,
    ...(server.port !== undefined ? { port: server.port } : {}),
    ...(server.host !== undefined ? { bindAddress: server.host } : {}),
  };
}

/**
 * The line beside a local field when the server runs with another value than the saved one
 * ("In effect: 11300, from the --port flag of priors serve; Priors uses 11112 when started
 * without it."), or undefined when they agree.
 */
export function effectNote(key: 'aeTitle' | 'port' | 'bindAddress', settings: Settings, server: ServerStatus): string | undefined {
  const now = inEffect(server)?.[key];
  const saved = settings.local[key];
  if (now === undefined || now === saved || (key === 'port' && saved === 0)) return undefined;
  const origin = server.origin?.[key];
  return origin === 'flag'
    ? `In effect: ${now}, ${originText(key, origin)}; Priors uses ${saved} when started without ${FLAG[key]}.`
    : `In effect: ${now}; ${saved} applies when Priors restarts.`;
}

/**
 * The sentence after a save: "applies now" only when the server runs with what was saved;
 * otherwise which value stays in effect, why, and when the saved one applies.
 */
export function saveSentence(saved: Settings, server: ServerStatus, restartRequired: boolean): string {
  const now = inEffect(server);
  if (!now) return restartRequired ? 'Saved. Restart Priors to apply the new AE title, port or bind address.' : 'Saved.';
  const differing = (['aeTitle', 'port', 'bindAddress'] as const).filter(
    (k) => now[k] !== undefined && now[k] !== saved.local[k] && !(k === 'port' && saved.local.port === 0),
  );
  if (differing.length === 0) return restartRequired ? 'Saved. Restart Priors to apply the new DICOM TLS settings.' : 'Saved. The change applies now.';
  const parts = differing.map((k) =>
    server.origin?.[k] === 'flag'
      ? `${LABEL[k]} ${now[k]} stays in effect (${originText(k, 'flag')}); ${saved.local[k]} applies when Priors starts without ${FLAG[k]}`
      : `${LABEL[k]} ${now[k]} stays in effect until Priors restarts, then ${saved.local[k]} applies`,
  );
  return `Saved to config.json. ${parts.join('. ')}.`;
}
