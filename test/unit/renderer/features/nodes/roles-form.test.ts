// A node's roles in prefetch as the node form edits them (renderer/src/features/nodes/node-form.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NodeInput } from '../../../../../shared/api/contract.js';
import { validateNode } from '../../../../../shared/config.js';
import { rolesFormOf, rolesText, withRoles, withWorklistTicked } from '../../../../../renderer/src/features/nodes/node-form.js';

const base: NodeInput = { name: 'ris', aeTitle: 'RIS', host: '127.0.0.1', port: 104 };

test('a new node: an archive, not a worklist provider; saved as before (no new keys)', () => {
  const form = rolesFormOf(base);
  assert.deepEqual(form, { archive: true, worklist: false, stationAeTitle: '', modality: '', hoursAhead: '12', intervalMinutes: '5' });
  const r = withRoles(base, form);
  assert.ok(r.ok);
  assert.deepEqual(r.node, base);
});

test('a worklist provider: its settings, checked and normalised; queryRetrieve only where it differs from the default', () => {
  const form = { ...rolesFormOf(base), worklist: true, archive: false, stationAeTitle: ' CT1 ', modality: 'ct', hoursAhead: '8', intervalMinutes: '10' };
  const r = withRoles(base, form);
  assert.ok(r.ok);
  assert.deepEqual(r.node, { ...base, worklist: { hoursAhead: 8, intervalMinutes: 10, stationAeTitle: 'CT1', modality: 'CT' } });
  assert.ok(validateNode({ ...r.node, model: 'study' }).ok, 'the main process accepts it');
  const both = withRoles(base, { ...form, archive: true });
  assert.ok(both.ok && both.node.queryRetrieve === true, 'a worklist provider also searched for priors says so');
  const modality = withRoles(base, { ...rolesFormOf(base), archive: false });
  assert.ok(modality.ok && modality.node.queryRetrieve === false, 'a modality is never searched');
  assert.deepEqual(rolesFormOf(r.node), { ...form, stationAeTitle: 'CT1', modality: 'CT' });
});

test('unticking "Worklist provider" drops its settings; an old queryRetrieve is rewritten', () => {
  const saved: NodeInput = { ...base, queryRetrieve: true, worklist: { hoursAhead: 12, intervalMinutes: 5 } };
  const r = withRoles(saved, { ...rolesFormOf(saved), worklist: false });
  assert.ok(r.ok);
  assert.deepEqual(r.node, base);
});

test('bad worklist fields: each message at its field', () => {
  const r = withRoles(base, {
    ...rolesFormOf(base),
    worklist: true,
    stationAeTitle: 'A_STATION_TITLE_TOO_LONG',
    modality: 'C T',
    hoursAhead: '0',
    intervalMinutes: 'x',
  });
  assert.ok(!r.ok);
  assert.match(r.errors.stationAeTitle!, /^Station AE title must be at most 16 characters/);
  assert.equal(r.errors.modality, 'Modality must be a modality such as CT or MR, got "C T".');
  assert.equal(r.errors.hoursAhead, 'Hours ahead must be a whole number from 1 to 168, got "0".');
  assert.equal(r.errors.intervalMinutes, 'Poll every must be a whole number of minutes from 1 to 1440, got "x".');
  assert.ok(withRoles(base, { ...rolesFormOf(base), hoursAhead: '0' }).ok, 'worklist fields are not checked for a node that is no provider');
});

test('roles in the node list', () => {
  assert.equal(rolesText({}), 'archive');
  assert.equal(rolesText({ worklist: { hoursAhead: 1, intervalMinutes: 1 } }), 'worklist');
  assert.equal(rolesText({ worklist: { hoursAhead: 1, intervalMinutes: 1 }, queryRetrieve: true }), 'archive, worklist');
  assert.equal(rolesText({ queryRetrieve: false }), 'not searched');
});

test('ticking "Worklist provider" unticks "Archive" while it held the default; a choice made by hand stays', () => {
  const fresh = rolesFormOf(base);
  assert.deepEqual([withWorklistTicked(fresh, true).archive, withWorklistTicked(withWorklistTicked(fresh, true), false).archive], [false, true]);
  const both = withWorklistTicked({ ...fresh, worklist: true, archive: true }, false);
  assert.equal(both.archive, true);
  const modality = withWorklistTicked({ ...fresh, archive: false }, true);
  assert.equal(modality.archive, false, 'a node unticked as an archive by hand stays unticked');
  assert.equal(withWorklistTicked({ ...fresh, archive: false }, true).worklist, true);
});
