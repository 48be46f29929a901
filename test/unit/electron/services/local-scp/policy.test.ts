// Access control of the local SCP (electron/services/local-scp/policy.ts): calling-AE policies, host
// binding of configured nodes, per-node incoming limits, and the log's advice.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultConfig, type Config, type RemoteNode } from '../../../../../shared/config.js';
import { associationPolicy, normalizeAddress } from '../../../../../electron/services/local-scp/policy.js';

const node = (over: Partial<RemoteNode>): RemoteNode => ({
  name: 'ct1',
  aeTitle: 'CT1',
  host: '10.1.2.3',
  port: 104,
  model: 'study',
  method: 'move',
  maxAssociations: 2,
  ...over,
});
const config = (over: Partial<Config>): Config => ({ ...defaultConfig(), ...over });

test('addresses compare with IPv4-mapped IPv6 folded', () => {
  assert.equal(normalizeAddress('::ffff:10.1.2.3'), '10.1.2.3');
  assert.equal(normalizeAddress('FE80::1'), 'fe80::1');
});

test("configured mode: node AE titles only; with bindToHost only from the node's host", () => {
  const nodes = [node({}), node({ name: 'pacs', aeTitle: 'PACS', host: 'localhost' })];
  const loose = associationPolicy(config({ nodes, callingAePolicy: { mode: 'configured' } }), 'PRIORS');
  assert.equal(loose.acceptCallingAeTitle('CT1', '192.168.0.9'), true);
  assert.equal(loose.acceptCallingAeTitle('STRANGER', '10.1.2.3'), false);
  const bound = associationPolicy(config({ nodes, callingAePolicy: { mode: 'configured', bindToHost: true } }), 'PRIORS');
  assert.equal(bound.acceptCallingAeTitle('CT1', '10.1.2.3'), true);
  assert.equal(bound.acceptCallingAeTitle('CT1', '::ffff:10.1.2.3'), true);
  assert.equal(bound.acceptCallingAeTitle('CT1', '10.1.2.4'), false, 'an AE title borrowed by another host');
  assert.equal(bound.acceptCallingAeTitle('PACS', '127.0.0.1'), true, 'localhost is loopback');
  assert.equal(bound.acceptCallingAeTitle('PRIORS', '10.9.9.9'), true, 'our own AE title (priors move) from anywhere');
  assert.match(bound.refusalAdvice!('CT1', '10.1.2.4')!, /'CT1' is the AE title of node 'ct1' \(10\.1\.2\.3\) but called from 10\.1\.2\.4/);
  assert.match(bound.refusalAdvice!('STRANGER', '10.1.2.4')!, /add it as a node in Nodes & settings, or set the calling-AE policy to any/);
});

test("any mode with bindToHost: strangers welcome, a node's AE title only from its host; names resolved at start", () => {
  const nodes = [node({ host: 'ct1.example' })];
  const resolved = new Map([['ct1.example', ['10.1.2.3']]]);
  const p = associationPolicy(config({ nodes, callingAePolicy: { mode: 'any', bindToHost: true } }), 'PRIORS', resolved);
  assert.equal(p.acceptCallingAeTitle('ANYONE', '10.7.7.7'), true);
  assert.equal(p.acceptCallingAeTitle('CT1', '10.1.2.3'), true);
  assert.equal(p.acceptCallingAeTitle('CT1', '10.7.7.7'), false);
  const unresolved = associationPolicy(config({ nodes, callingAePolicy: { mode: 'any', bindToHost: true } }), 'PRIORS');
  assert.equal(unresolved.acceptCallingAeTitle('CT1', '10.1.2.3'), false, 'a name that did not resolve matches no address');
});

test('list mode, and per-node incoming limits over the per-AE one', () => {
  const p = associationPolicy(
    config({
      nodes: [node({ maxIncomingAssociations: 1 })],
      callingAePolicy: { mode: 'list', aeTitles: ['CT1', 'MR1'] },
      maxAssociationsPerCallingAe: 4,
    }),
    'PRIORS',
  );
  assert.equal(p.acceptCallingAeTitle('MR1', '1.2.3.4'), true);
  assert.equal(p.acceptCallingAeTitle('US1', '1.2.3.4'), false);
  assert.match(p.refusalAdvice!('US1', '1.2.3.4')!, /not in the list of AE titles allowed/);
  assert.equal(p.maxAssociationsFor!('CT1'), 1);
  assert.equal(p.maxAssociationsFor!('MR1'), undefined);
  assert.equal(p.maxAssociationsPerCallingAe, 4);
});

test('the settings form carries "only from the node\'s host" both ways, and says it', async () => {
  const { localFormOf, policySentence, settingsFromForm } = await import('../../../../../renderer/src/features/nodes/node-form.js');
  const { settingsOf } = await import('../../../../../shared/api/contract.js');
  const base = settingsOf(defaultConfig());
  const form = { ...localFormOf(base), policyMode: 'configured' as const, bindToHost: true };
  const r = settingsFromForm(base, form);
  assert.ok(r.ok);
  assert.deepEqual(r.settings.callingAePolicy, { mode: 'configured', bindToHost: true });
  assert.equal(localFormOf(r.settings).bindToHost, true);
  assert.match(policySentence(r.settings.callingAePolicy), /only from that node's host/);
  const off = settingsFromForm(base, { ...form, bindToHost: false });
  assert.ok(off.ok);
  assert.equal(off.settings.callingAePolicy.bindToHost, undefined);
});
