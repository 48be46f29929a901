import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig } from '../../../../../shared/config.js';
import { NodeReach, scuOptionsFrom } from '../../../../../electron/services/nodes/reach.js';

test('SCU options come from the configuration, and the command line or the served AE title override them', () => {
  const config = defaultConfig();
  config.local = { ...config.local, aeTitle: 'CONFIGURED', maxPduLength: 65536 };
  config.timeouts = { connectMs: 1000, artimMs: 2000, dimseMs: 3000 };
  const plain = scuOptionsFrom(config);
  assert.deepEqual(plain, { callingAeTitle: 'CONFIGURED', maxPduLength: 65536, timeouts: { connectMs: 1000, artimMs: 2000, dimseMs: 3000 } });
  assert.notEqual(plain.timeouts, config.timeouts, 'a copy: a caller changing it leaves the configuration alone');

  const signal = new AbortController().signal;
  const log = () => undefined;
  const cli = scuOptionsFrom(config, { callingAeTitle: 'FROM_ARGS', timeouts: { connectMs: 5, artimMs: 5, dimseMs: 5 }, log, signal });
  assert.deepEqual(
    { ...cli, log: undefined, signal: undefined },
    {
      callingAeTitle: 'FROM_ARGS',
      maxPduLength: 65536,
      timeouts: { connectMs: 5, artimMs: 5, dimseMs: 5 },
      log: undefined,
      signal: undefined,
    },
  );
  assert.equal(cli.log, log);
  assert.equal(cli.signal, signal);

  // the app's reach: the AE title our server runs with wins over the configured one
  const served = new NodeReach(
    () => config,
    () => ({ aeTitle: 'SERVED', port: 11112 }),
  );
  assert.equal(served.scu().callingAeTitle, 'SERVED');
  assert.equal(
    new NodeReach(
      () => config,
      () => ({}),
    ).scu(signal).signal,
    signal,
  );
});
