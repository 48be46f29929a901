import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkAeTitle, defaultConfig, findNode, formatNodeAddress, parseNodeAddress, validateConfig, validateNode } from '../../../shared/config.js';

function errorOf(raw: unknown): string {
  const r = validateConfig(raw);
  assert.equal(r.ok, false, 'expected a validation error');
  return (r as { error: string }).error;
}

describe('validateConfig', () => {
  test('an empty object gives every default', () => {
    const r = validateConfig({});
    assert.ok(r.ok);
    assert.deepEqual(r.value, defaultConfig());
    assert.deepEqual(r.value.local, { aeTitle: 'PRIORS', port: 11112, bindAddress: '0.0.0.0', maxPduLength: 16352 });
    assert.equal(r.value.maxAssociations, 10);
    assert.equal(r.value.caseInsensitivePN, true);
    assert.deepEqual(r.value.callingAePolicy, { mode: 'any' });
    assert.deepEqual(r.value.timeouts, { connectMs: 10000, artimMs: 30000, dimseMs: 60000 });
    assert.equal(r.value.quotaBytes, undefined);
  });

  test('node defaults: model study, method move, four associations (series side by side)', () => {
    const r = validateConfig({ nodes: [{ name: 'pacs', aeTitle: ' ORTHANC ', host: '10.0.0.5', port: 4242 }] });
    assert.ok(r.ok);
    assert.deepEqual(r.value.nodes[0], {
      name: 'pacs',
      aeTitle: 'ORTHANC',
      host: '10.0.0.5',
      port: 4242,
      model: 'study',
      method: 'move',
      maxAssociations: 4,
    });
  });

  test('a full config round-trips through JSON', () => {
    const full = {
      local: { aeTitle: 'WS1', port: 104, bindAddress: '127.0.0.1', maxPduLength: 0 },
      nodes: [
        { name: 'a', aeTitle: 'A', host: 'pacs.example.org', port: 104, model: 'patient', method: 'get', maxAssociations: 4 },
        { name: 'b', aeTitle: 'B', host: '::1', port: 11112, model: 'patientstudy', method: 'move', maxAssociations: 1 },
      ],
      callingAePolicy: { mode: 'list', aeTitles: ['A', 'C'] },
      maxAssociations: 3,
      maxAssociationsPerCallingAe: 2,
      timeouts: { connectMs: 1000, artimMs: 2000, dimseMs: 0 },
      caseInsensitivePN: false,
      quotaBytes: 1e9,
    };
    const r = validateConfig(JSON.parse(JSON.stringify(full)));
    assert.ok(r.ok);
    assert.deepEqual(r.value, full);
    const again = validateConfig(JSON.parse(JSON.stringify(r.value)));
    assert.ok(again.ok);
    assert.deepEqual(again.value, full);
  });

  test('errors name the field path and the value', () => {
    const nodes = [
      { name: 'a', aeTitle: 'A', host: 'h', port: 104 },
      { name: 'b', aeTitle: 'B', host: 'h', port: 'abc' },
    ];
    assert.equal(errorOf({ nodes }), 'nodes[1].port must be an integer from 1 to 65535, got "abc"');
    assert.equal(errorOf({ nodes: [{ ...nodes[0], port: 70000 }] }), 'nodes[0].port must be an integer from 1 to 65535, got 70000');
    assert.match(errorOf({ nodes: [{ ...nodes[0], model: 'series' }] }), /^nodes\[0\]\.model must be one of "study", "patient", "patientstudy", got "series"$/);
    assert.match(errorOf({ nodes: [{ ...nodes[0], method: 'push' }] }), /^nodes\[0\]\.method must be one of "move", "get"/);
    assert.match(errorOf({ nodes: [nodes[0], { ...nodes[1], port: 1, name: 'A' }] }), /^nodes\[1\]\.name "A" is used by another node$/);
    assert.match(errorOf({ nodes: [{ ...nodes[0], host: 'http://x' }] }), /^nodes\[0\]\.host must be a host name or IP address/);
    assert.match(errorOf({ nodes: [{ ...nodes[0], name: 'has space' }] }), /^nodes\[0\]\.name must be/);
    assert.match(errorOf({ nodes: [{ ...nodes[0], name: 'x@y' }] }), /^nodes\[0\]\.name must be/);
    assert.match(errorOf({ nodes: {} }), /^nodes must be a list/);
    assert.match(errorOf({ local: { port: -1 } }), /^local\.port must be an integer from 0 to 65535, got -1$/);
    assert.match(errorOf({ local: { maxPduLength: 100 } }), /^local\.maxPduLength must be 0 \(unlimited\) or at least 4096/);
    assert.match(errorOf({ timeouts: { dimseMs: 1.5 } }), /^timeouts\.dimseMs must be an integer/);
    assert.match(errorOf({ caseInsensitivePN: 'yes' }), /^caseInsensitivePN must be true or false, got "yes"$/);
    assert.match(errorOf({ quotaBytes: 0 }), /^quotaBytes must be an integer of at least 1, got 0$/);
    assert.match(errorOf({ maxAssociations: 0 }), /^maxAssociations must be an integer from 1 to 1000/);
    assert.match(errorOf([]), /^the configuration must be an object/);
    assert.match(errorOf('x'), /^the configuration must be an object/);
  });

  test('unknown fields are rejected (they are usually typos)', () => {
    assert.match(errorOf({ node: [] }), /^node is not a known setting/);
    assert.match(
      errorOf({ local: { aet: 'X' } }),
      /^local\.aet is not a known setting \(expected one of aeTitle, port, bindAddress, maxPduLength, tls, dicomweb\)$/,
    );
    assert.match(errorOf({ nodes: [{ name: 'a', aeTitle: 'A', host: 'h', port: 1, prot: 2 }] }), /^nodes\[0\]\.prot is not a known setting/);
  });

  test('calling AE policy', () => {
    assert.match(errorOf({ callingAePolicy: { mode: 'list' } }), /^callingAePolicy\.aeTitles must list at least one AE title/);
    assert.match(errorOf({ callingAePolicy: { mode: 'some' } }), /^callingAePolicy\.mode must be one of "any", "configured", "list"/);
    assert.match(errorOf({ callingAePolicy: { mode: 'list', aeTitles: ['OK', 'BAD\\AE'] } }), /^callingAePolicy\.aeTitles\[1\] must not contain a backslash/);
    const r = validateConfig({ callingAePolicy: { mode: 'configured' } });
    assert.ok(r.ok);
    assert.equal(r.value.callingAePolicy.mode, 'configured');
  });
});

describe('AE titles (PS3.5 §6.2, VR AE)', () => {
  test('valid titles, trimmed', () => {
    for (const t of ['A', 'PRIORS', 'ORTHANC', 'STORESCP', '1234567890123456', 'MY-AE_1.X', '  PACS  ', 'A B']) {
      const r = checkAeTitle(t);
      assert.ok(r.ok, t);
      assert.equal(r.value, t.trim());
    }
  });
  test('invalid titles', () => {
    assert.match((checkAeTitle('') as { error: string }).error, /empty/);
    assert.match((checkAeTitle('    ') as { error: string }).error, /only spaces/);
    assert.match((checkAeTitle('12345678901234567') as { error: string }).error, /at most 16 characters/);
    assert.match((checkAeTitle('A\\B') as { error: string }).error, /backslash/);
    assert.match((checkAeTitle('A\tB') as { error: string }).error, /control/);
    assert.match((checkAeTitle('A\nB') as { error: string }).error, /control/);
    assert.match((checkAeTitle('ÉCOLE') as { error: string }).error, /accented/);
    assert.match((checkAeTitle(42) as { error: string }).error, /got 42/);
    assert.match(errorOf({ local: { aeTitle: '' } }), /^local\.aeTitle must not be empty/);
  });
});

describe('parseNodeAddress', () => {
  test('AET@host:port', () => {
    assert.deepEqual(parseNodeAddress('ORTHANC@127.0.0.1:4242'), { ok: true, value: { aeTitle: 'ORTHANC', host: '127.0.0.1', port: 4242 } });
    assert.deepEqual(parseNodeAddress('PACS@pacs.example.org:104'), { ok: true, value: { aeTitle: 'PACS', host: 'pacs.example.org', port: 104 } });
    assert.deepEqual(parseNodeAddress('X@[::1]:11112'), { ok: true, value: { aeTitle: 'X', host: '::1', port: 11112 } });
    assert.deepEqual(parseNodeAddress('A@B@host:1'), { ok: true, value: { aeTitle: 'A@B', host: 'host', port: 1 } });
  });
  test('round trip with formatNodeAddress', () => {
    for (const s of ['ORTHANC@127.0.0.1:4242', 'X@[::1]:11112']) {
      const r = parseNodeAddress(s);
      assert.ok(r.ok);
      assert.equal(formatNodeAddress(r.value), s);
    }
  });
  test('errors say how to write it', () => {
    const err = (s: string) => (parseNodeAddress(s) as { ok: false; error: string }).error;
    assert.match(err('pacs'), /write it as AET@host:port/);
    assert.match(err('@host:104'), /write it as AET@host:port/);
    assert.match(err('PACS@host'), /write it as AET@host:port/);
    assert.match(err('PACS@host:abc'), /^the port in "PACS@host:abc" must be an integer from 1 to 65535, got "abc"$/);
    assert.match(err('PACS@host:0'), /port .* must be an integer from 1 to 65535/);
    assert.match(err('WAY_TOO_LONG_AE_TITLE@host:1'), /AE title .* at most 16/);
    assert.match(err('PACS@ho st:1'), /host .* must be a host name/);
  });
});

test('validateNode and findNode', () => {
  const r = validateNode({ name: 'Main', aeTitle: 'PACS', host: 'h', port: '104' });
  assert.ok(r.ok);
  assert.equal(r.value.port, 104);
  const config = { ...defaultConfig(), nodes: [r.value] };
  assert.equal(findNode(config, 'main')?.aeTitle, 'PACS');
  assert.equal(findNode(config, 'other'), undefined);
  assert.match((validateNode({ name: 'x' }) as { error: string }).error, /^node\.aeTitle must be an AE title/);
});

describe('config store (data directory and config.json)', async () => {
  const { ConfigStore, defaultDataDir, resolveDataDir, ConfigError } = await import('../../../electron/services/config/config-store.js');
  const { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');

  test('default data directory per OS, overridable with --data and PRIORS_DATA', () => {
    assert.equal(defaultDataDir({}, 'linux', '/home/u'), '/home/u/.local/share/priors');
    assert.equal(defaultDataDir({ XDG_DATA_HOME: '/x/data' }, 'linux', '/home/u'), '/x/data/priors');
    assert.equal(defaultDataDir({ XDG_DATA_HOME: 'relative' }, 'linux', '/home/u'), '/home/u/.local/share/priors');
    assert.equal(defaultDataDir({}, 'darwin', '/Users/u'), '/Users/u/Library/Application Support/Priors');
    assert.equal(defaultDataDir({ LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' }, 'win32', 'C:\\Users\\u'), 'C:\\Users\\u\\AppData\\Local\\Priors');
    assert.equal(resolveDataDir('/a/b', { PRIORS_DATA: '/c' }), '/a/b');
    assert.equal(resolveDataDir(undefined, { PRIORS_DATA: '/c' }), '/c');
    assert.equal(resolveDataDir(undefined, { XDG_CONFIG_HOME: '/x' }).startsWith('/'), true);
  });

  test('load, save atomically, add and remove nodes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'priors-config-'));
    try {
      const store = new ConfigStore(join(dir, 'data'));
      assert.deepEqual(await store.load(), defaultConfig());
      await store.addNode({ name: 'pacs', aeTitle: 'ORTHANC', host: '127.0.0.1', port: 4242 });
      await assert.rejects(store.addNode({ name: 'PACS', aeTitle: 'X', host: 'h', port: 1 }), /A node named "pacs" already exists/);
      await assert.rejects(
        store.addNode({ name: 'bad', aeTitle: 'X', host: 'h', port: 0 }),
        /^ConfigError: node\.port must be an integer from 1 to 65535, got 0$|node\.port must be/,
      );
      const saved = JSON.parse(readFileSync(store.path, 'utf8')) as { nodes: { name: string }[] };
      assert.deepEqual(
        saved.nodes.map((n) => n.name),
        ['pacs'],
      );
      assert.deepEqual(readdirSync(join(dir, 'data')), ['config.json'], 'no temp file left behind');
      assert.equal(await store.removeNode('PACS'), true);
      assert.equal(await store.removeNode('pacs'), false);
      writeFileSync(store.path, JSON.stringify({ $schema: '../docs/config.schema.json', nodes: saved.nodes }));
      assert.deepEqual(
        (await store.load()).nodes.map((n) => n.name),
        ['pacs'],
        '"$schema" is accepted and ignored',
      );
      await store.addNode({ name: 'other', aeTitle: 'O', host: 'h', port: 104 });
      assert.equal((JSON.parse(readFileSync(store.path, 'utf8')) as { $schema?: string }).$schema, '../docs/config.schema.json', 'and kept when written back');
      writeFileSync(store.path, '{ not json');
      await assert.rejects(store.load(), (e: Error) => e instanceof ConfigError && /is not valid JSON/.test(e.message));
      writeFileSync(store.path, '{"local":{"port":"x"}}');
      await assert.rejects(store.load(), /local\.port must be an integer from 0 to 65535, got "x"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
