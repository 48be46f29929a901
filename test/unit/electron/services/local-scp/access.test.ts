// Who may use which service of our SCP (electron/services/local-scp/access.ts, issue 17): the
// defaults (Verification and Storage for any caller, Query/Retrieve for configured nodes from
// their host and for this machine), each setting, node hosts given by name, and the sentence
// saying how to allow a refused node.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_SERVICE_ACCESS, serviceAccess, validateConfig, type CallingAePolicy, type RemoteNode } from '../../../../../shared/config.js';
import { isLoopback, ServiceGate, type ServiceClass } from '../../../../../electron/services/local-scp/access.js';

const node = (over: Partial<RemoteNode>): RemoteNode => ({
  name: 'ws2',
  aeTitle: 'WS2',
  host: '10.1.2.3',
  port: 104,
  model: 'study',
  method: 'move',
  maxAssociations: 2,
  ...over,
});
const caller = (callingAeTitle: string, peerAddress: string) => ({ id: 'a1', callingAeTitle, calledAeTitle: 'PRIORS', peerAddress, peerPort: 40000 });

function gate(services: CallingAePolicy['services'], nodes: RemoteNode[] = [node({})]) {
  return new ServiceGate({
    config: () => ({ callingAePolicy: { mode: 'any', ...(services ? { services } : {}) }, nodes }),
    isLocalAddress: (a) => isLoopback(a) || a === '192.168.7.7',
  });
}

async function allowed(g: ServiceGate, service: ServiceClass, aet: string, address: string): Promise<boolean> {
  return (await g.check(service, caller(aet, address))) === undefined;
}

test('secure by default: Verification and Storage for anyone, Query/Retrieve for nodes from their host and this machine', async () => {
  assert.deepEqual(DEFAULT_SERVICE_ACCESS, { verification: 'any', storage: 'any', queryRetrieve: 'nodes' });
  const g = gate(undefined);
  assert.equal(await allowed(g, 'verification', 'STRANGER', '10.9.9.9'), true);
  assert.equal(await allowed(g, 'storage', 'STRANGER', '10.9.9.9'), true);
  assert.equal(await allowed(g, 'queryRetrieve', 'STRANGER', '10.9.9.9'), false, 'an unknown caller reads nothing');
  assert.equal(await allowed(g, 'queryRetrieve', 'WS2', '10.1.2.3'), true, 'a node from its host');
  assert.equal(await allowed(g, 'queryRetrieve', 'WS2', '::ffff:10.1.2.3'), true, 'IPv4-mapped');
  assert.equal(await allowed(g, 'queryRetrieve', 'WS2', '10.1.2.4'), false, 'its AE title borrowed by another host');
  for (const local of ['127.0.0.1', '127.3.4.5', '::1', '::ffff:127.0.0.1', '192.168.7.7']) {
    assert.equal(await allowed(g, 'queryRetrieve', 'ANYONE', local), true, `this machine: ${local}`);
  }
});

test('the sentences say who was refused what and how to allow that node', async () => {
  const g = gate(undefined);
  const unknown = await g.check('queryRetrieve', caller('CT9', '10.9.9.9'));
  assert.equal(
    unknown?.sentence,
    'Refused Query/Retrieve to CT9 at 10.9.9.9: CT9 is not a configured node; to allow it, add it as a node with its host in ' +
      'Nodes & settings (priors nodes add <name> CT9@10.9.9.9:<port>), or set callingAePolicy.services.queryRetrieve to "any" to let any caller in',
  );
  assert.equal(unknown?.comment, 'Query/Retrieve not permitted for this calling AE title and host');
  assert.ok(unknown.comment.length <= 64, 'an Error Comment is LO');
  const moved = await g.check('queryRetrieve', caller('WS2', '10.1.2.4'));
  assert.match(
    moved!.sentence,
    /WS2 is the AE title of node 'ws2' \(10\.1\.2\.3\), which calls from its own host only; if that node moved, correct its host in Nodes & settings \(priors nodes add ws2 WS2@10\.1\.2\.4:104 --replace\)/,
  );
  const local = await gate({ queryRetrieve: 'local' }).check('queryRetrieve', caller('WS2', '10.1.2.3'));
  assert.match(local!.sentence, /it is open only to this machine; to allow configured nodes set callingAePolicy\.services\.queryRetrieve to "nodes"/);
});

test('each service is set on its own; "local" refuses even a node from another machine', async () => {
  const g = gate({ storage: 'nodes', verification: 'local', queryRetrieve: 'any' });
  assert.equal(await allowed(g, 'queryRetrieve', 'STRANGER', '10.9.9.9'), true);
  assert.equal(await allowed(g, 'storage', 'STRANGER', '10.9.9.9'), false);
  assert.equal(await allowed(g, 'storage', 'WS2', '10.1.2.3'), true);
  assert.equal(await allowed(g, 'verification', 'WS2', '10.1.2.3'), false);
  assert.equal(await allowed(g, 'verification', 'WS2', '127.0.0.1'), true);
});

test('a node host given as a name: localhost is loopback; a name is resolved (an unresolvable one matches no address)', async () => {
  const g = gate(undefined, [node({ host: 'localhost' }), node({ name: 'pacs', aeTitle: 'PACS', host: 'no-such-host.invalid' })]);
  assert.equal(await allowed(g, 'queryRetrieve', 'PACS', '10.1.2.3'), false);
  const remoteLocalhost = new ServiceGate({
    config: () => ({ callingAePolicy: { mode: 'any' }, nodes: [node({ host: 'localhost' })] }),
    isLocalAddress: () => false,
  });
  assert.equal(await allowed(remoteLocalhost, 'queryRetrieve', 'WS2', '127.0.0.1'), true, 'a node at localhost from loopback');
});

test('config.json: callingAePolicy.services is checked field by field; absent fields take the defaults', () => {
  const r = validateConfig({ callingAePolicy: { mode: 'any', services: { queryRetrieve: 'any' } } });
  assert.ok(r.ok);
  assert.deepEqual(serviceAccess(r.value.callingAePolicy), { verification: 'any', storage: 'any', queryRetrieve: 'any' });
  const none = validateConfig({});
  assert.ok(none.ok);
  assert.equal(none.value.callingAePolicy.services, undefined, 'not written into a new configuration');
  assert.deepEqual(serviceAccess(none.value.callingAePolicy), DEFAULT_SERVICE_ACCESS);
  const bad = validateConfig({ callingAePolicy: { mode: 'any', services: { queryRetrieve: 'everyone' } } });
  assert.equal(bad.ok ? '' : bad.error, 'callingAePolicy.services.queryRetrieve must be one of "any", "nodes", "local", got "everyone"');
  const unknown = validateConfig({ callingAePolicy: { mode: 'any', services: { find: 'any' } } });
  assert.match(
    unknown.ok ? '' : unknown.error,
    /^callingAePolicy\.services\.find is not a known setting \(expected one of verification, storage, queryRetrieve\)/,
  );
});
